import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { formatBackupName } from '../../services/backup/backup-name.js';
import { createRedactor } from '../../src/redact.js';
import { BackupScheduler } from '../../commands/scheduled-jobs.js';
import { slackAlertSink } from '../../src/slack/slack-alert-sink.js';
import { createMessagingClient, SlackNotifier } from '../../src/slack/slack-notifier.js';
import { backupWorld } from '../helpers/backup-services.js';
import { capturedLogger } from '../helpers/captured-logger.js';
import { attachmentsForFilestore, seedDatabase, seedFilestore } from '../helpers/seed-odoo.js';
import { withStopped } from '../helpers/stack-faults.js';
import { createDockerClient } from '../../services/docker/docker-client.js';
import { freePort } from '../testbed/free-port.js';
import { SlackStandIn, type SlackCall } from '../testbed/slack-stand-in.js';

const testbed = inject('testbed');
const CHANNEL = 'C0ALERTS';
const FAST_RETRIES = { retries: 2, factor: 1, minTimeout: 20, maxTimeout: 50 };
const textOf = (call: SlackCall) => String(call.body.text) + JSON.stringify(call.body.blocks ?? '');

describe('scheduled backups post their result to the alert channel', () => {
  const slack = new SlackStandIn();
  beforeAll(async () => {
    await slack.start();
    await seedDatabase(testbed, 50);
    await seedFilestore(testbed.stack.odoo.dataDir, testbed.stack.db.database, 5);
  });
  afterAll(() => slack.stop());

  async function scheduler(overrides: Record<string, string> = {}, now?: () => Date) {
    const world = await backupWorld(testbed, overrides);
    const { logger, lines } = capturedLogger(world.config.secrets);
    const notifier = new SlackNotifier(createMessagingClient({ token: slack.botToken, apiUrl: slack.apiUrl, retries: FAST_RETRIES }), CHANNEL, logger);
    return { world, lines, scheduler: new BackupScheduler(world.services, slackAlertSink(notifier, createRedactor(world.config.secrets)), logger, createRedactor(world.config.secrets), { now }) };
  }

  it('fires on its cron schedule and posts the success: name, size, where stored', async () => {
    const { scheduler: s } = await scheduler({ BACKUP_SCHEDULE: '*/2 * * * * *' });
    const before = slack.calls.length;
    s.start();
    try {
      const post = await slack.waitFor('chat.postMessage', (c) => slack.calls.indexOf(c) >= before && textOf(c).includes('Backup succeeded'), 20_000);
      expect(post.body.channel).toBe(CHANNEL);
      expect(textOf(post)).toMatch(/odoo_backup_\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}\.tar\.gz/);
      expect(textOf(post)).toContain('stored in local disk and R2');
    } finally {
      await s.stop();
    }
  });

  it('a scheduled restore drill posts its result to the alert channel: the backup it proved, from R2, its checks and RTO', async () => {
    await attachmentsForFilestore(testbed);
    const { scheduler: s } = await scheduler();
    const backup = await s.runScheduledBackup();
    expect(backup.ok).toBe(true);
    const before = slack.calls.length;
    const reply = await s.runScheduledDrill();
    expect(reply.ok && reply.result.passed, JSON.stringify(reply)).toBe(true);
    const post = slack.calls.slice(before).find((c) => c.method === 'chat.postMessage')!;
    expect(post.body.channel).toBe(CHANNEL);
    expect(textOf(post)).toContain('Restore drill passed');
    expect(textOf(post)).toContain(backup.ok ? backup.name : 'unreachable');
    expect(textOf(post)).toContain('from R2');
    expect(textOf(post)).toContain('(RTO)');
  });

  it('a scheduled drill that cannot prove a backup (none exists) is an alert, never a silent pass', async () => {
    const { scheduler: s } = await scheduler();
    const before = slack.calls.length;
    const reply = await s.runScheduledDrill();
    expect(reply.ok && reply.result.passed).toBe(false);
    const post = slack.calls.slice(before).find((c) => c.method === 'chat.postMessage')!;
    expect(post.body.channel).toBe(CHANNEL);
    expect(textOf(post)).toContain(':rotating_light: Restore drill');
  });

  it('an attachment sync that keeps failing (R2 down) raises one alert with the cause, not one per pass', async () => {
    const { scheduler: s } = await scheduler({ CF_R2_ENDPOINT: `http://127.0.0.1:${await freePort()}` });
    const before = slack.calls.length;
    const failing = () => slack.calls.slice(before).filter((c) => c.method === 'chat.postMessage' && textOf(c).includes('Attachment sync is failing'));
    for (let pass = 1; pass <= 2; pass++) {
      const reply = await s.runSync();
      expect(reply.ok && reply.result.failed.length === 0).toBe(false);
    }
    expect(failing()).toHaveLength(0);
    await s.runSync();
    expect(failing()).toHaveLength(1);
    expect(failing()[0]!.body.channel).toBe(CHANNEL);
    expect(textOf(failing()[0]!)).toContain('3 passes in a row');
    await s.runSync();
    expect(failing()).toHaveLength(1);
  }, 120_000);

  it('a failure is an alert naming the stage, the cause and what to run next', async () => {
    const { scheduler: s } = await scheduler();
    const before = slack.calls.length;
    const outcome = await withStopped(createDockerClient(testbed.dockerHost).getContainer(testbed.stack.db.container), () => s.runScheduledBackup());
    expect(outcome.ok).toBe(false);
    const post = slack.calls.slice(before).find((c) => c.method === 'chat.postMessage')!;
    expect(post.body.channel).toBe(CHANNEL);
    expect(textOf(post)).toContain('Backup FAILED');
    expect(textOf(post)).toContain('at stage *dump*');
    expect(textOf(post)).toContain('not running');
    expect(textOf(post)).toContain('/odoo status');
  });

  it('R2 failing after a good local archive says the local copy is kept', async () => {
    const { scheduler: s } = await scheduler({ CF_R2_ENDPOINT: `http://127.0.0.1:${await freePort()}` });
    const before = slack.calls.length;
    const outcome = await s.runScheduledBackup();
    expect(outcome.ok).toBe(false);
    const post = slack.calls.slice(before).find((c) => c.method === 'chat.postMessage')!;
    expect(textOf(post)).toContain('not uploaded to R2');
    expect(textOf(post)).toContain(`the local copy \`${outcome.ok ? '' : outcome.localArchive}\` is complete and stays in BACKUP_DIR`);
  });

  it('waits out a 429 and delivers; logs what a Slack outage kept it from delivering', async () => {
    const { scheduler: s, lines } = await scheduler();
    slack.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const before = slack.calls.length;
    await s.runScheduledBackup();
    const posts = slack.calls.slice(before).filter((c) => c.method === 'chat.postMessage');
    expect(posts).toHaveLength(2);
    expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(900);

    const down = new SlackStandIn();
    await down.start();
    const port = down.port;
    await down.stop(); // nothing listens there now: Slack is "down"
    const world = await backupWorld(testbed);
    const captured = capturedLogger(world.config.secrets);
    const notifier = new SlackNotifier(createMessagingClient({ token: slack.botToken, apiUrl: `http://127.0.0.1:${port}/api/`, retries: FAST_RETRIES }), CHANNEL, captured.logger);
    const outage = new BackupScheduler(world.services, slackAlertSink(notifier, createRedactor(world.config.secrets)), captured.logger, createRedactor(world.config.secrets));
    const outcome = await outage.runScheduledBackup();
    expect(outcome.ok).toBe(true);
    const undelivered = captured.lines().find((l) => l.msg === 'slack message not delivered');
    expect(undelivered).toMatchObject({ level: 50, channel: CHANNEL, about: 'scheduled backup' });
    expect(String(undelivered!.undelivered)).toContain('Backup succeeded');
    expect(lines().some((l) => l.msg === 'slack message not delivered')).toBe(false);
  });

  it('posts "backups are overdue" once a day until a backup succeeds', async () => {
    let now = new Date();
    const { scheduler: s, world } = await scheduler({ BACKUP_SCHEDULE: '0 2 * * *' }, () => now);
    await mkdir(world.backupDir, { recursive: true });
    const old = formatBackupName(new Date(now.getTime() - 3 * 86_400_000), 'UTC');
    await writeFile(join(world.backupDir, old), 'x');
    const overdueAlerts = () => slack.callsOf('chat.postMessage').filter((c) => textOf(c).includes('Backups are overdue') && textOf(c).includes(old));

    expect(await s.checkOverdue()).toBe(true);
    expect(overdueAlerts()).toHaveLength(1);
    expect(textOf(overdueAlerts()[0]!)).toContain('/odoo backup');
    now = new Date(now.getTime() + 3_600_000);
    expect(await s.checkOverdue()).toBe(true);
    expect(overdueAlerts()).toHaveLength(1);
    now = new Date(now.getTime() + 86_400_000);
    expect(await s.checkOverdue()).toBe(true);
    expect(overdueAlerts()).toHaveLength(2);

    await writeFile(join(world.backupDir, formatBackupName(now, 'UTC')), 'x');
    expect(await s.checkOverdue()).toBe(false);
  });
});
