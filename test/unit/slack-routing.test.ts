import type { App } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import type { SlackConfig } from '../../src/config.js';
import { registerButtonActions } from '../../src/slack/listeners/button-actions.js';
import { registerOdooCommand } from '../../src/slack/listeners/odoo-command.js';
import { ACTION_RESTORE_CONFIRM } from '../../src/slack/render-restore.js';
import type { OperationRequest, RestorePress, SlackDeps } from '../../src/slack/slack-deps.js';
import { capturedLogger } from '../helpers/captured-logger.js';

const ADMIN = 'U_ADMIN';
const STRANGER = 'U_STRANGER';
const SLACK: SlackConfig = { botToken: 'xoxb-test', port: 0, apiUrl: 'http://127.0.0.1:1/api/', alertChannel: 'C_ALERTS', admins: [ADMIN] };

type Listener = (args: Record<string, unknown>) => Promise<void>;

/**
 * The listeners registered on a stand-in for Bolt's App (only `command` and
 * `action` are used), with starters that keep what reached them: what the
 * routing decides is which operation a request starts, if any, and what the
 * user is told.
 */
function routed(redact: (text: string) => string = (t) => t) {
  const commands = new Map<string, Listener>();
  const actions: { id: string | RegExp; listener: Listener }[] = [];
  const app = {
    command: (name: string, listener: Listener) => void commands.set(name, listener),
    action: (id: string | RegExp, listener: Listener) => void actions.push({ id, listener }),
  } as unknown as App;
  const reached: { what: string; userId: string; name?: string; offerId?: string }[] = [];
  const deps: SlackDeps = {
    services: { settings: { timeZone: 'UTC' } } as SlackDeps['services'],
    redact,
    startBackup: async (r: OperationRequest) => (reached.push({ what: 'backup', userId: r.userId }), { started: true }),
    startRestore: async (r) => (reached.push({ what: 'restore-offer', userId: r.userId, name: r.name }), { started: false }),
    confirmRestore: async (p: RestorePress) => (reached.push({ what: 'restore-confirm', userId: p.userId, offerId: p.offerId }), { started: true }),
    cancelRestore: async (p) => void reached.push({ what: 'restore-cancel', userId: p.userId, offerId: p.offerId }),
  };
  const { logger, lines } = capturedLogger();
  registerOdooCommand(app, SLACK, deps, logger);
  registerButtonActions(app, SLACK, deps, logger);
  const said: unknown[] = [];
  const client = { chat: { postMessage: async (m: unknown) => (said.push(m), { ts: '1.1' }), update: async () => ({}) } };
  const slash = async (text: string, userId: string, channelId = 'C_ALERTS') =>
    commands.get('/odoo')!({ command: { text, user_id: userId, channel_id: channelId }, ack: async (m?: unknown) => void said.push(m ?? 'ack'), respond: async (m: unknown) => void said.push(m), client });
  const press = async (actionId: string, value: string, userId: string) => {
    const found = actions.find((a) => (typeof a.id === 'string' ? a.id === actionId : a.id.test(actionId)))!;
    await found.listener({
      ack: async () => {},
      body: { user: { id: userId }, channel: { id: 'C_ALERTS' }, message: { ts: '9.9' } },
      action: { value },
      respond: async (m: unknown) => void said.push(m),
      client,
    });
  };
  return { slash, press, reached, said, lines };
}

const texts = (said: unknown[]) => said.map((m) => (typeof m === 'string' ? m : String((m as { text?: string }).text ?? '')));

describe('the Slack listeners route each request to its operation', () => {
  it('starts a backup for an admin and refuses a stranger, naming the admins, without starting anything', async () => {
    const r = routed();
    await r.slash('backup', STRANGER);
    expect(r.reached).toEqual([]);
    expect(texts(r.said)).toContain(`Only the administrators of odoo-ops may start a backup: <@${ADMIN}>. Ask one of them.`);
    await r.slash('backup', ADMIN);
    expect(r.reached).toEqual([{ what: 'backup', userId: ADMIN }]);
  });

  it('hands a restore name, normalised to the archive name, to the offer flow, and answers bad usage without it', async () => {
    const r = routed();
    await r.slash('restore odoo_backup_2026-01-31_02-00-00', ADMIN);
    expect(r.reached).toEqual([{ what: 'restore-offer', userId: ADMIN, name: 'odoo_backup_2026-01-31_02-00-00.tar.gz' }]);
    await r.slash('restore not-a-backup', ADMIN);
    await r.slash('restore a b', ADMIN);
    expect(r.reached).toHaveLength(1);
    expect(texts(r.said).filter((t) => t.includes('Usage: `/odoo restore <name>`'))).toHaveLength(2);
  });

  it('checks who presses a restore offer again at the press, and passes the offer id on', async () => {
    const r = routed();
    await r.press(ACTION_RESTORE_CONFIRM, 'offer-1', STRANGER);
    expect(r.reached).toEqual([]);
    await r.press(ACTION_RESTORE_CONFIRM, 'offer-1', ADMIN);
    expect(r.reached).toEqual([{ what: 'restore-confirm', userId: ADMIN, offerId: 'offer-1' }]);
  });

  it('answers an unknown subcommand with help and audits every call', async () => {
    const r = routed();
    await r.slash('frobnicate', STRANGER);
    expect(r.reached).toEqual([]);
    expect(r.lines().filter((l) => l.msg === 'slack command').map((l) => [l.command, l.outcome])).toEqual([['frobnicate', 'unknown']]);
  });

  it('redacts every reply, whatever the handler put in it', async () => {
    const r = routed((t) => t.split(ADMIN).join('[redacted]'));
    await r.slash('backup', STRANGER);
    expect(texts(r.said).join('\n')).not.toContain(ADMIN);
  });
});
