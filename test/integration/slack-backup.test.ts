import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { keysUnder } from '../helpers/bucket.js';
import { seedDatabase, seedFilestore } from '../helpers/seed-odoo.js';
import { postSlashCommand } from '../helpers/signed-slack-request.js';
import { httpBotEnv, startBotProcess, type BotProcess } from '../helpers/bot-process.js';
import { logLines, waitFor } from '../helpers/wait-for.js';
import { freePort } from '../testbed/free-port.js';
import { SlackStandIn, type SlackCall } from '../testbed/slack-stand-in.js';

const testbed = inject('testbed');
const SIGNING_SECRET = 'c0ffeec0ffeec0ffeec0ffeec0ffee00';
const textOf = (call: SlackCall) => String(call.body.text) + JSON.stringify(call.body.blocks ?? '');

describe('/odoo backup from Slack, through the running bot', () => {
  const slack = new SlackStandIn();
  let bot: ChildProcess;
  let stderr: BotProcess['stderr'];
  let url: string;
  let backupDir: string;
  let prefix: string;

  beforeAll(async () => {
    await slack.start();
    await seedDatabase(testbed, 50);
    await seedFilestore(testbed.stack.odoo.dataDir, testbed.stack.db.database, 5);
    const port = await freePort();
    const root = mkdtempSync(join(tmpdir(), 'odoo-ops-slack-backup-'));
    backupDir = join(root, 'backup');
    prefix = `slack-${Date.now()}/`;
    ({ child: bot, url, stderr } = await startBotProcess(httpBotEnv(testbed, slack, { signingSecret: SIGNING_SECRET, backupDir, prefix, port })));
  });
  afterAll(async () => {
    bot.kill('SIGTERM');
    await once(bot, 'exit');
    await slack.stop();
  });

  it('an admin gets one progress message naming them, updated at most once a second, ending with the result; the alert channel hears of it', async () => {
    const before = slack.calls.length;
    const ack = await postSlashCommand({ url, signingSecret: SIGNING_SECRET, text: 'backup', userId: 'U0ADMIN1', channelId: 'C0OPS', responseUrl: slack.responseUrl() });
    expect(ack.status).toBe(200);
    const final = await slack.waitFor('chat.update', (c) => c.body.channel === 'C0OPS' && textOf(c).includes('Backup succeeded'), 30_000);

    const inOps = slack.calls.slice(before).filter((c) => c.body.channel === 'C0OPS');
    expect(inOps[0]!.method).toBe('chat.postMessage');
    expect(textOf(inOps[0]!)).toContain('Backup started by <@U0ADMIN1>');
    for (let i = 1; i < inOps.length; i++) expect(inOps[i]!.at - inOps[i - 1]!.at).toBeGreaterThanOrEqual(950);
    const [name] = readdirSync(backupDir).filter((f) => f.startsWith('odoo_backup_'));
    expect(textOf(final)).toContain(name);
    expect(textOf(final)).toContain('stored in local disk and R2');
    expect(await keysUnder(testbed, prefix)).toEqual([`${prefix}${name}`]);

    const inAlerts = await slack.waitFor('chat.postMessage', (c) => c.body.channel === 'C0ALERTS' && textOf(c).includes(name!), 10_000);
    expect(textOf(inAlerts)).toContain('Backup succeeded');
    expect(slack.calls.some((c) => c.body.channel === 'C0ALERTS' && textOf(c).includes('<@U0ADMIN1> started a backup from <#C0OPS>'))).toBe(true);
  });

  it('a non-admin is refused, ephemerally, and no backup starts', async () => {
    const files = readdirSync(backupDir);
    const refused = await postSlashCommand({ url, signingSecret: SIGNING_SECRET, text: 'backup', userId: 'U0INTRUDER', channelId: 'C0OPS' });
    expect(refused.status).toBe(200);
    const reply = (await refused.json()) as { response_type: string; text: string };
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toContain('U0ADMIN1');
    // The audit line is written once the handler has returned: had it started a backup, the lock would exist by then.
    await waitFor('the audit line of the refusal', () => logLines(stderr()).some((l) => l.msg === 'slack command' && l.user === 'U0INTRUDER' && l.outcome === 'refused'));
    expect(readdirSync(backupDir)).toEqual(files);
  });
});
