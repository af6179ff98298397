import { mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { SlackConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createSlackApp, type SlackApp } from '../../src/slack/create-slack-app.js';
import { postButtonPress, postSlashCommand } from '../helpers/signed-slack-request.js';
import { slackTestDeps } from '../helpers/slack-test-deps.js';
import { freePort } from '../testbed/free-port.js';
import { SlackStandIn, type SlackCall } from '../testbed/slack-stand-in.js';

const testbed = inject('testbed');
const ADMIN = 'U0ADMIN1';
const STRANGER = 'U0STRANGER';
const blocksText = (call: SlackCall) => JSON.stringify(call.body.blocks ?? []) + String(call.body.text ?? '');

describe('Slack HTTP mode: /odoo commands and buttons against the stand-in', () => {
  const slackStandIn = new SlackStandIn();
  const signingSecret = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
  let app: SlackApp;
  let url: string;
  let deps: ReturnType<typeof slackTestDeps>;
  let log = '';

  beforeAll(async () => {
    await slackStandIn.start();
    const backupDir = await mkdtemp(join(testbed.workDir, 'slack-http-'));
    await writeFile(join(backupDir, 'odoo_backup_2026-01-02_02-00-00.tar.gz'), 'aaaa');
    await writeFile(join(backupDir, 'odoo_backup_2026-01-01_02-00-00.tar.gz'), 'bb');
    deps = slackTestDeps(testbed, { BACKUP_DIR: backupDir, CF_R2_PREFIX: `slack-http-${Date.now()}/` });
    const port = await freePort();
    const slack: SlackConfig = { botToken: slackStandIn.botToken, signingSecret, port, apiUrl: slackStandIn.apiUrl, alertChannel: 'C0ALERTS', admins: [ADMIN] };
    const destination = new Writable({
      write(chunk, _enc, done) {
        log += chunk;
        done();
      },
    });
    app = createSlackApp(slack, createLogger({ secrets: [slack.botToken, signingSecret], destination }), deps);
    await app.start({ port, host: '127.0.0.1' });
    url = `http://127.0.0.1:${port}/slack/events`;
  });
  afterAll(async () => {
    await app?.stop();
    await slackStandIn.stop();
  });

  it('acks a signed /odoo status with 200 (its latency is bench:slack\'s), then posts a report listing both containers to response_url', async () => {
    const responseUrl = slackStandIn.responseUrl('status-1');
    const response = await postSlashCommand({ url, signingSecret, text: 'status', userId: STRANGER, responseUrl });
    expect(response.status).toBe(200);
    const reply = await slackStandIn.waitFor('response_url', (c) => c.responseId === 'status-1');
    const text = blocksText(reply);
    expect(text).toContain('Container odoo');
    expect(text).toContain('Container db');
    expect(text).toMatch(/Odoo stack: (healthy|degraded)/);
    expect(text).toContain('Checked ');
    expect(log).toMatch(/"user":"U0STRANGER","channel":"C0TESTCHAN","command":"status","args":\[\],"outcome":"(healthy|degraded)".*"durationMs":\d+/);
  });

  it('refuses a forged signature and a stale timestamp with 401, with no side effect', async () => {
    const before = slackStandIn.calls.length;
    const forged = await postSlashCommand({ url, signingSecret, signWith: 'ffffffffffffffffffffffffffffffff', text: 'backup', responseUrl: slackStandIn.responseUrl('forged') });
    const stale = await postSlashCommand({ url, signingSecret, text: 'backup', timestamp: Math.floor(Date.now() / 1000) - 6 * 60, responseUrl: slackStandIn.responseUrl('stale') });
    expect([forged.status, stale.status]).toEqual([401, 401]);
    // The signature is checked before any listener runs: a 401 means no handler saw the request, now or later.
    expect(slackStandIn.calls.length).toBe(before);
    expect(deps.started).toEqual([]);
  });

  it('answers help and an unknown subcommand with an ephemeral usage listing status, list and help', async () => {
    for (const text of ['', 'help', 'frobnicate']) {
      const reply = (await (await postSlashCommand({ url, signingSecret, text })).json()) as { response_type: string; text: string };
      expect(reply.response_type).toBe('ephemeral');
      expect(reply.text).toContain('/odoo status');
      expect(reply.text).toContain('/odoo list');
      expect(reply.text).toContain('/odoo help');
    }
  });

  it('echoes a 10 kB or control-laden subcommand or restore name short and escaped, starting nothing', async () => {
    const ask = async (text: string, userId = ADMIN) => ((await (await postSlashCommand({ url, signingSecret, text, userId })).json()) as { text: string }).text;
    const long = await ask('x'.repeat(10_000));
    expect(long).toContain(`I don't know \`${'x'.repeat(79)}…\``);
    expect(long.length).toBeLessThan(2000);
    const coloured = await ask('frob\x1b[31m\u202eicate');
    expect(coloured).toContain("I don't know `frob\\x1b[31m\\u202eicate`");
    expect(coloured).not.toMatch(/[\x1b\u202e]/);
    const name = await ask(`restore odoo_backup_${'9'.repeat(10_000)}\x1b[2J<!channel>`);
    expect(name).toMatch(/^"odoo_backup_9+…" is not a backup name\. Usage: `\/odoo restore <name>`/);
    expect(name.length).toBeLessThan(400);
    const mention = await ask('restore \x1b[2J<!channel>');
    expect(mention).toContain('"\\x1b[2J&lt;!channel&gt;" is not a backup name.');
    expect(deps.started).toEqual([]);
  });

  it("hands an admin's /odoo restore of a name without .tar.gz to the restore flow as the archive's name", async () => {
    await postSlashCommand({ url, signingSecret, text: 'restore odoo_backup_2026-01-01_02-00-00', userId: ADMIN, responseUrl: slackStandIn.responseUrl('restore-bare') });
    await slackStandIn.waitFor('response_url', (c) => c.responseId === 'restore-bare');
    expect(deps.started.splice(0)).toEqual([{ operation: 'restore', userId: ADMIN, channelId: 'C0TESTCHAN', name: 'odoo_backup_2026-01-01_02-00-00.tar.gz' }]);
  });

  it('refuses /odoo backup from a non-admin, ephemerally and naming who can, and starts no backup', async () => {
    const reply = (await (await postSlashCommand({ url, signingSecret, text: 'backup', userId: STRANGER })).json()) as { response_type: string; text: string };
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toContain(`<@${ADMIN}>`);
    expect(deps.started).toEqual([]);
    expect(log).toContain('"command":"backup","args":[],"outcome":"refused"');
  });

  it("starts an admin's /odoo backup and announces it in the alert channel, retrying after Slack's 429", async () => {
    slackStandIn.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const response = await postSlashCommand({ url, signingSecret, text: 'backup', userId: ADMIN, channelId: 'C0OTHER', responseUrl: slackStandIn.responseUrl('backup-admin') });
    expect(response.status).toBe(200);
    const isAnnouncement = (c: SlackCall) => c.body.channel === 'C0ALERTS' && String(c.body.text).includes('started a backup');
    // The first attempt is answered 429 with Retry-After: 1; the announcement must arrive on the retry.
    const refused = await slackStandIn.waitFor('chat.postMessage', isAnnouncement);
    const announcement = await slackStandIn.waitFor('chat.postMessage', (c) => c !== refused && isAnnouncement(c), 8000);
    expect(announcement.at - refused.at).toBeGreaterThanOrEqual(900);
    expect(announcement.body.text).toContain(`<@${ADMIN}>`);
    expect(deps.started.splice(0)).toEqual([{ operation: 'backup', userId: ADMIN, channelId: 'C0OTHER', name: undefined }]);
  });

  it('accepts the "Back up now" button from an admin and refuses a non-admin pressing the same button', async () => {
    const strangerPress = await postButtonPress({ url, signingSecret, userId: STRANGER, actionId: 'backup_now', value: 'backup', channelId: 'C0ALERTS', responseUrl: slackStandIn.responseUrl('press-stranger') });
    expect(strangerPress.status).toBe(200);
    const refusal = await slackStandIn.waitFor('response_url', (c) => c.responseId === 'press-stranger');
    expect(refusal.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(String(refusal.body.text)).toContain(`<@${ADMIN}>`);
    expect(deps.started).toEqual([]);

    const adminPress = await postButtonPress({ url, signingSecret, userId: ADMIN, actionId: 'backup_now', value: 'backup', channelId: 'C0ALERTS', responseUrl: slackStandIn.responseUrl('press-admin') });
    expect(adminPress.status).toBe(200);
    await slackStandIn.waitFor('response_url', (c) => c.responseId === 'press-admin');
    expect(deps.started.splice(0)).toEqual([{ operation: 'backup', userId: ADMIN, channelId: 'C0ALERTS', name: undefined }]);
    expect(log).toMatch(/"kind":"button","user":"U0STRANGER".*"outcome":"refused"/);
  });

  it('lists backups newest first with a Restore… button each; the button hands that backup to the restore flow for an admin only', async () => {
    await postSlashCommand({ url, signingSecret, text: 'list', userId: STRANGER, responseUrl: slackStandIn.responseUrl('list-1') });
    const list = await slackStandIn.waitFor('response_url', (c) => c.responseId === 'list-1');
    const blocks = list.body.blocks as { accessory?: { action_id: string; value: string; text: { text: string } } }[];
    const buttons = blocks.flatMap((b) => (b.accessory ? [b.accessory] : []));
    expect(buttons.map((b) => [b.text.text, b.value])).toEqual([
      ['Restore…', 'odoo_backup_2026-01-02_02-00-00.tar.gz'],
      ['Restore…', 'odoo_backup_2026-01-01_02-00-00.tar.gz'],
    ]);
    const press = (userId: string, id: string) =>
      postButtonPress({ url, signingSecret, userId, actionId: buttons[1]!.action_id, value: buttons[1]!.value, responseUrl: slackStandIn.responseUrl(id) });
    await press(STRANGER, 'restore-stranger');
    expect(String((await slackStandIn.waitFor('response_url', (c) => c.responseId === 'restore-stranger')).body.text)).toContain('Only the administrators');
    expect(deps.started).toEqual([]);
    await press(ADMIN, 'restore-admin');
    await slackStandIn.waitFor('response_url', (c) => c.responseId === 'restore-admin');
    expect(deps.started.splice(0)).toEqual([{ operation: 'restore', userId: ADMIN, channelId: 'C0TESTCHAN', name: 'odoo_backup_2026-01-01_02-00-00.tar.gz' }]);
  });

  it('turns a failing handler into an ephemeral message with a reference id, logs the error, and keeps serving', async () => {
    const original = deps.startBackup;
    deps.startBackup = async () => {
      throw new Error('disk on fire at /secret/path');
    };
    try {
      await postSlashCommand({ url, signingSecret, text: 'backup', userId: ADMIN, responseUrl: slackStandIn.responseUrl('boom') });
      const notice = await slackStandIn.waitFor('response_url', (c) => c.responseId === 'boom');
      const ref = /Reference `([0-9a-f]{8})`/.exec(String(notice.body.text))?.[1];
      expect(ref).toBeDefined();
      expect(notice.body.response_type).toBe('ephemeral');
      expect(String(notice.body.text)).not.toContain('disk on fire');
      expect(log).toContain(`"ref":"${ref}"`);
      expect(log).toContain('disk on fire');
    } finally {
      deps.startBackup = original;
    }
    const after = await postSlashCommand({ url, signingSecret, text: 'help' });
    expect(after.status).toBe(200);
  });
});
