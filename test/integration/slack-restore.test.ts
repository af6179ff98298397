import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runBackup } from '../../services/backup/run-backup.js';
import type { SlackConfig } from '../../src/config.js';
import { createRedactor } from '../../src/redact.js';
import { slackDeps } from '../../src/run-bot.js';
import { createSlackApp, type SlackApp } from '../../src/slack/create-slack-app.js';
import { ACTION_RESTORE_ADDONS, ACTION_RESTORE_CANCEL, ACTION_RESTORE_CONFIRM, BLOCK_RESTORE_OFFER } from '../../src/slack/render-restore.js';
import { RestoreOffers } from '../../commands/restore-offers.js';
import { createMessagingClient, SlackNotifier } from '../../src/slack/slack-notifier.js';
import { backupWorld, type BackupWorld } from '../helpers/backup-services.js';
import { capturedLogger } from '../helpers/captured-logger.js';
import { changeOdooData, odooHealthy, odooStartedAt, snapshotOdoo, type OdooSnapshot } from '../helpers/odoo-state.js';
import { seedDatabase, seedFilestore } from '../helpers/seed-odoo.js';
import { postButtonPress, postSlashCommand } from '../helpers/signed-slack-request.js';
import { waitFor } from '../helpers/wait-for.js';
import { freePort } from '../testbed/free-port.js';
import { SlackStandIn, type SlackCall } from '../testbed/slack-stand-in.js';

const testbed = inject('testbed');
const ADMIN = 'U0ADMIN1';
const STRANGER = 'U0STRANGER';
const OPS = 'C0OPS';
const signingSecret = 'f00df00df00df00df00df00df00df00d';
const textOf = (call: SlackCall) => String(call.body.text ?? '') + JSON.stringify(call.body.blocks ?? '');

interface PostedOffer {
  ts: string;
  offerId: string;
  call: SlackCall;
}

describe('/odoo restore from Slack: the offer, its confirm button, and the restore', () => {
  const slack = new SlackStandIn();
  let app: SlackApp;
  let url: string;
  let world: BackupWorld;
  let name: string;
  let backedUp: OdooSnapshot;
  let clock = Date.now();
  let logLines: () => Record<string, unknown>[] = () => [];
  /** How many audit lines the handlers of `command` (e.g. restore-confirm) have written so far. */
  const audits = (command: string) => logLines().filter((l) => l.msg === 'slack command' && l.command === command).length;
  /** Resolves once the handler of `command` has returned `count` times: what it does, it has done. */
  const handled = (command: string, count: number) => waitFor(`audit line ${count} of ${command}`, () => audits(command) >= count);

  const reply = async (id: string) => String((await slack.waitFor('response_url', (c) => c.responseId === id, 10_000)).body.text);
  const command = (text: string, userId: string, id: string) => postSlashCommand({ url, signingSecret, text, userId, channelId: OPS, responseUrl: slack.responseUrl(id) });
  const press = (offer: PostedOffer, actionId: string, userId: string, id: string, withAddons = false) =>
    postButtonPress({
      url,
      signingSecret,
      userId,
      actionId,
      value: offer.offerId,
      channelId: OPS,
      messageTs: offer.ts,
      responseUrl: slack.responseUrl(id),
      state: { values: { [BLOCK_RESTORE_OFFER]: { [ACTION_RESTORE_ADDONS]: { type: 'checkboxes', selected_options: withAddons ? [{ value: 'with-addons' }] : [] } } } },
    });
  async function offer(): Promise<PostedOffer> {
    const before = slack.calls.length;
    await command(`restore ${name}`, ADMIN, `offer-${before}`);
    const call = await slack.waitFor('chat.postMessage', (c) => c.body.channel === OPS && slack.calls.indexOf(c) >= before && textOf(c).includes(`Restore ${name}?`), 10_000);
    const buttons = (call.body.blocks as { elements?: { action_id: string; value?: string }[] }[]).flatMap((b) => b.elements ?? []);
    return { ts: call.ts!, offerId: buttons.find((b) => b.action_id === ACTION_RESTORE_CONFIRM)!.value!, call };
  }

  beforeAll(async () => {
    await slack.start();
    await seedDatabase(testbed, 80);
    await seedFilestore(testbed.stack.odoo.dataDir, testbed.stack.db.database, 4);
    world = await backupWorld(testbed);
    const backup = await runBackup(world.services, { startedBy: 'test' });
    if (!backup.ok) throw backup.error;
    name = backup.name;
    backedUp = await snapshotOdoo(testbed);
    await changeOdooData(testbed);

    const port = await freePort();
    const config: SlackConfig = { botToken: slack.botToken, signingSecret, port, apiUrl: slack.apiUrl, alertChannel: 'C0ALERTS', admins: [ADMIN] };
    const { logger, lines } = capturedLogger([slack.botToken, signingSecret]);
    logLines = lines;
    const alerts = new SlackNotifier(createMessagingClient({ token: slack.botToken, apiUrl: slack.apiUrl }), 'C0ALERTS', logger);
    const offers = new RestoreOffers(() => clock);
    app = createSlackApp(config, logger, slackDeps({ services: world.services, alerts, logger, redact: createRedactor([]), offers }));
    await app.start({ port, host: '127.0.0.1' });
    url = `http://127.0.0.1:${port}/slack/events`;
  });
  afterAll(async () => {
    await app?.stop();
    await slack.stop();
  });

  it('refuses a bad name with the expected form, and a missing backup, changing nothing', async () => {
    const ack = await command('restore latest', ADMIN, 'bad-name');
    expect(((await ack.json()) as { text: string }).text).toMatch(/Usage: `\/odoo restore <name>`.*odoo_backup_2026-01-31_02-00-00\.tar\.gz/);
    await command('restore odoo_backup_2001-01-01_00-00-00.tar.gz', ADMIN, 'missing');
    expect(await reply('missing')).toMatch(/no backup named odoo_backup_2001-01-01_00-00-00\.tar\.gz.*\/odoo list/);
    expect(slack.calls.filter((c) => c.method === 'chat.postMessage')).toEqual([]);
  });

  it('offers the restore with the backup details, a danger Restore button whose confirm dialog names the database, and Cancel', async () => {
    const posted = await offer();
    const text = textOf(posted.call);
    expect(text).toContain(name);
    expect(text).toMatch(/taken \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
    expect(text).toContain('in local disk and R2');
    expect(text).toContain('live database *odoo*');
    const elements = (posted.call.body.blocks as { type: string; elements?: Record<string, unknown>[] }[]).filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []);
    const restore = elements.find((e) => e.action_id === ACTION_RESTORE_CONFIRM) as { style: string; confirm: { text: { text: string } } };
    expect(restore.style).toBe('danger');
    expect(restore.confirm.text.text).toContain('*odoo*');
    expect(elements.map((e) => e.action_id)).toEqual([ACTION_RESTORE_ADDONS, ACTION_RESTORE_CONFIRM, ACTION_RESTORE_CANCEL]);
  });

  it('a non-admin press is refused; the admin press restores, a backup meanwhile is busy; a second press is refused', async () => {
    const posted = await offer();
    const changed = await snapshotOdoo(testbed);
    await press(posted, ACTION_RESTORE_CONFIRM, STRANGER, 'stranger');
    expect(await reply('stranger')).toContain('Only the administrators');
    expect(await snapshotOdoo(testbed)).toEqual(changed);

    // With the offer's "also restore the addons" box ticked.
    await writeFile(join(world.addonsDir, 'my_module', '__manifest__.py'), "{'name': 'edited since'}\n");
    await press(posted, ACTION_RESTORE_CONFIRM, ADMIN, 'confirm', true);
    const holder = join(world.backupDir, '.odoo-ops.holder.json');
    await waitFor('the restore to take the lock', () => existsSync(holder));
    await command('backup', ADMIN, 'backup-during');
    expect(await reply('backup-during')).toMatch(/Busy: restore started by <@U0ADMIN1>/);

    const final = await slack.waitFor('chat.update', (c) => c.body.ts === posted.ts && textOf(c).includes('Restore succeeded'), 60_000);
    expect(textOf(final)).toMatch(/Odoo was down \d+\.\d s/);
    expect(textOf(final)).toMatch(/data as it was just before the switch is archived as odoo_backup_/);
    expect(textOf(final)).toContain('addons restored');
    expect(await readFile(join(world.addonsDir, 'my_module', '__manifest__.py'), 'utf8')).toBe("{'name': 'My Module', 'version': '17.0.1.0.0'}\n");
    expect(await snapshotOdoo(testbed)).toEqual(backedUp);
    expect(await odooHealthy(testbed)).toBe(true);
    await slack.waitFor('chat.postMessage', (c) => c.body.channel === 'C0ALERTS' && textOf(c).includes('Restore succeeded'), 10_000);

    const startedAt = await odooStartedAt(testbed);
    const confirms = audits('restore-confirm');
    await press(posted, ACTION_RESTORE_CONFIRM, ADMIN, 'again');
    expect(await reply('again')).toMatch(/already confirmed by <@U0ADMIN1>; it works once/);
    await handled('restore-confirm', confirms + 1);
    expect(await odooStartedAt(testbed)).toBe(startedAt);
  });

  it('an expired offer, one pressed while busy, and a cancelled one change nothing', async () => {
    await changeOdooData(testbed);
    const before = await snapshotOdoo(testbed);
    const startedAt = await odooStartedAt(testbed);
    const late = await offer();
    clock += 11 * 60_000;
    await press(late, ACTION_RESTORE_CONFIRM, ADMIN, 'late');
    expect(await reply('late')).toMatch(/expired .*Nothing was changed/);

    // Pressed while a backup runs: busy, and the offer stays open (Cancel still works on it).
    const cancelled = await offer();
    const backupLock = await world.services.lock.acquire('backup', 'schedule');
    try {
      await press(cancelled, ACTION_RESTORE_CONFIRM, ADMIN, 'busy');
      expect(await reply('busy')).toMatch(/^Busy: backup started by schedule at .*The offer stays open/);
    } finally {
      await backupLock.release();
    }
    await press(cancelled, ACTION_RESTORE_CANCEL, ADMIN, 'cancel');
    await slack.waitFor('chat.update', (c) => c.body.ts === cancelled.ts && textOf(c).includes('cancelled by <@U0ADMIN1>'), 10_000);
    const confirms = audits('restore-confirm');
    await press(cancelled, ACTION_RESTORE_CONFIRM, ADMIN, 'after-cancel');
    expect(await reply('after-cancel')).toMatch(/cancelled by <@U0ADMIN1>\. Nothing was changed/);
    await handled('restore-confirm', confirms + 1);
    expect(await snapshotOdoo(testbed)).toEqual(before);
    expect(await odooStartedAt(testbed)).toBe(startedAt);
  });
});
