import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';

// A copy of ../shared/slack's schema (MIT, its LICENSE beside it), so that a lone clone runs this test.
const schemaDir = new URL('../fixtures/slack/', import.meta.url);
const readJson = (url: URL) => JSON.parse(readFileSync(url, 'utf8')) as Record<string, unknown>;
const manifest = readJson(new URL('../../config/slack-app-manifest.json', import.meta.url));

/** Slack's manifest schema (slackapi/manifest-schema), its versioned parts registered under the URLs it refers to. */
function manifestValidator() {
  const ajv = new Ajv({ strict: false, allErrors: true, formats: { uri: (value: string) => URL.canParse(value) } });
  for (const version of ['1.0.0', '2.0.0']) {
    ajv.addSchema(
      readJson(new URL(`schemas/manifest.schema.${version}.json`, schemaDir)),
      `https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/manifest.schema.${version}.json`,
    );
  }
  return ajv.compile(readJson(new URL('manifest.schema.json', schemaDir)));
}

describe('config/slack-app-manifest.json', () => {
  const validate = manifestValidator();

  it("is accepted by Slack's manifest schema", () => {
    const valid = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema check has teeth: a slash command without a description is rejected', () => {
    const broken = structuredClone(manifest) as { features: { slash_commands: Record<string, unknown>[] } };
    delete broken.features.slash_commands[0]!.description;
    expect(validate(broken)).toBe(false);
  });

  it('declares /odoo with a usage hint, interactivity, Socket Mode, and only the scopes the bot uses', () => {
    const m = manifest as {
      features: { slash_commands: { command: string; usage_hint?: string }[] };
      oauth_config: { scopes: { bot: string[] } };
      settings: { interactivity: { is_enabled: boolean }; socket_mode_enabled: boolean };
    };
    expect(m.features.slash_commands.map((c) => c.command)).toEqual(['/odoo']);
    expect(m.features.slash_commands[0]!.usage_hint).toContain('status');
    expect(m.settings.interactivity.is_enabled).toBe(true);
    expect(m.settings.socket_mode_enabled).toBe(true);
    // Replies go through response_url (no scope); alerts and announcements use chat.postMessage in a channel the bot was invited to;
    // `odoo-ops doctor` reads the alert channel (conversations.info: channels:read, groups:read when it is private).
    expect(m.oauth_config.scopes.bot.sort()).toEqual(['channels:read', 'chat:write', 'commands', 'groups:read']);
  });
});
