import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRedactor } from '../../src/redact.js';
import { runSlackBackup } from '../../src/slack/slack-backup.js';
import { createMessagingClient, SlackNotifier } from '../../src/slack/slack-notifier.js';
import { backupWorld } from '../helpers/backup-services.js';
import { capturedLogger } from '../helpers/captured-logger.js';
import { keysUnder } from '../helpers/bucket.js';
import { seedDatabase, seedFilestore } from '../helpers/seed-odoo.js';
import { SlackStandIn, type SlackCall } from '../testbed/slack-stand-in.js';

const testbed = inject('testbed');
const textOf = (call: SlackCall) => String(call.body.text) + JSON.stringify(call.body.blocks ?? '');

describe('/odoo backup from Slack', () => {
  const slack = new SlackStandIn();
  beforeAll(async () => {
    await slack.start();
    await seedDatabase(testbed, 50);
    await seedFilestore(testbed.stack.odoo.dataDir, testbed.stack.db.database, 5);
  });
  afterAll(() => slack.stop());

  it('shows one message that names who started it, follows the stages at most once a second, ends with the result; announced in the alert channel', async () => {
    const world = await backupWorld(testbed);
    const { logger } = capturedLogger(world.config.secrets);
    const client = createMessagingClient({ token: slack.botToken, apiUrl: slack.apiUrl });
    const before = slack.calls.length;
    const outcome = await runSlackBackup(
      { services: world.services, here: new SlackNotifier(client, 'C0OPS', logger), alerts: new SlackNotifier(client, 'C0ALERTS', logger), logger, redact: createRedactor(world.config.secrets) },
      { userId: 'U0ADMIN1', channelId: 'C0OPS' },
    );
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    const calls = slack.calls.slice(before);
    const inOps = calls.filter((c) => c.body.channel === 'C0OPS');
    expect(inOps[0]!.method).toBe('chat.postMessage');
    expect(textOf(inOps[0]!)).toContain('Backup started by <@U0ADMIN1>');
    const updates = inOps.filter((c) => c.method === 'chat.update');
    expect(updates.length).toBeGreaterThanOrEqual(1);
    for (const update of updates) expect(update.body.ts).toBeDefined();
    const times = inOps.map((c) => c.at);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(950);
    const final = textOf(updates.at(-1)!);
    expect(final).toContain('Backup succeeded');
    expect(final).toContain(outcome.name);
    expect(final).toContain('stored in local disk and R2');

    const inAlerts = calls.filter((c) => c.body.channel === 'C0ALERTS').map(textOf);
    expect(inAlerts[0]).toContain('Backup started by <@U0ADMIN1> in <#C0OPS>');
    expect(inAlerts[1]).toContain(outcome.name);
    expect(await keysUnder(testbed, world.prefix)).toEqual([`${world.prefix}${outcome.name}`]);
  });
});
