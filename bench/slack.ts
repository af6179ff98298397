/**
 * `npm run bench:slack` — not a test: measures the Slack edge on the real test bed.
 *
 * The bot runs as its own process (`node bin/odoo-ops.js bot`, the built dist,
 * HTTP mode) so that the measuring client and the load do not share its event loop.
 *
 * 1. Ack latency (p50/p99) of 200 signed `/odoo status` slash commands posted in
 *    HTTP mode (4 in flight), while a backup-like load runs. Target: p99 ≤ 300 ms.
 * 2. `/odoo status` end to end (p95): from posting the command to the report
 *    arriving at response_url, 30 times one after the other. Target: p95 ≤ 1 s.
 *
 * The load: real backups run by the bot itself, one after another (`/odoo
 * backup` from an admin), on a seeded database (100,000 partners) and filestore
 * (60 attachments of 2 MiB): pg_dump, tar and gzip, the archive, the upload to
 * s3rver — in the same process and on the same 2 cores as the Slack edge.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { startTestbed } from '../test/global-setup.js';
import { seedDatabase, seedFilestore } from '../test/helpers/seed-odoo.js';
import { postSlashCommand } from '../test/helpers/signed-slack-request.js';
import { testbedEnv } from '../test/helpers/testbed-env.js';
import { freePort } from '../test/testbed/free-port.js';
import { SlackStandIn } from '../test/testbed/slack-stand-in.js';

const BIN = fileURLToPath(new URL('../bin/odoo-ops.js', import.meta.url));
// `npm run bench:slack -- --no-load` measures the same without the backup-like load, as a baseline.
const WITH_LOAD = !process.argv.includes('--no-load');
const ACKS = 200;
const IN_FLIGHT = 4;
const STATUS_RUNS = 30;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  // The tests' 0.5 s healthchecks, as when the bench:slack figures in docs/benchmarks.md were measured.
  const { info: tb, teardown } = await startTestbed();
  const slackStandIn = await new SlackStandIn().start();
  let loadRunning = true;
  let bot: ReturnType<typeof spawn> | undefined;
  const loads: Promise<void>[] = [];
  try {
    const signingSecret = 'b1b2c3d4e5f60718293a4b5c6d7e8f90';
    const port = await freePort();
    const env = testbedEnv(tb, {
      PATH: process.env.PATH,
      BACKUP_DIR: await mkdtemp(join(tb.workDir, 'bench-')),
      SLACK_BOT_TOKEN: slackStandIn.botToken,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_ALERT_CHANNEL: 'C0ALERTS',
      SLACK_ADMINS: 'U0ADMIN1',
      SLACK_API_URL: slackStandIn.apiUrl,
      PORT: String(port),
    });
    bot = spawn(process.execPath, [BIN, 'bot'], { env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'ignore', 'inherit'] });
    for (let i = 0; ; i++) {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.status === 200) break;
      if (i > 100) throw new Error('the bot did not start');
      await sleep(100);
    }
    const url = `http://127.0.0.1:${port}/slack/events`;

    // The load: real backups run by the bot itself (`/odoo backup` from an admin),
    // one after another for as long as the measurements last.
    let backups = 0;
    let failedBackups = 0;
    if (WITH_LOAD) {
      await seedDatabase(tb, 100_000);
      await seedFilestore(tb.stack.odoo.dataDir, tb.stack.db.database, 60, 2 * 1024 * 1024);
      loads.push(
        (async () => {
          while (loadRunning) {
            const since = slackStandIn.calls.length;
            await postSlashCommand({ url, signingSecret, text: 'backup', userId: 'U0ADMIN1', channelId: 'C0LOAD', responseUrl: slackStandIn.responseUrl(`load-${backups}`) });
            const done = await slackStandIn.waitFor(
              'chat.update',
              (c) => slackStandIn.calls.indexOf(c) >= since && c.body.channel === 'C0LOAD' && /Backup (succeeded|FAILED|incomplete)/.test(String(c.body.text)),
              300_000,
            );
            if (String(done.body.text).includes('succeeded')) backups++;
            else failedBackups++;
          }
        })(),
      );
      // Measure once the first backup is under way.
      await slackStandIn.waitFor('chat.postMessage', (c) => c.body.channel === 'C0LOAD', 10_000);
    }

    // 1. Ack latency under load.
    const ackMs: number[] = [];
    let next = 0;
    const worker = async () => {
      while (next < ACKS) {
        const i = next++;
        const started = performance.now();
        const response = await postSlashCommand({ url, signingSecret, text: 'status', userId: 'U0BENCH', responseUrl: slackStandIn.responseUrl(`ack-${i}`) });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`slash command answered ${response.status}`);
        ackMs.push(performance.now() - started);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    // Let the status reports of those commands finish before timing status alone.
    for (let i = 0; i < ACKS; i++) await slackStandIn.waitFor('response_url', (c) => c.responseId === `ack-${i}`, 60_000);

    // 2. /odoo status end to end, still under load.
    const statusMs: number[] = [];
    const verdicts = new Map<string, number>();
    for (let i = 0; i < STATUS_RUNS; i++) {
      const id = `e2e-${i}`;
      const started = performance.now();
      await postSlashCommand({ url, signingSecret, text: 'status', userId: 'U0BENCH', responseUrl: slackStandIn.responseUrl(id) });
      const reply = await slackStandIn.waitFor('response_url', (c) => c.responseId === id, 10_000);
      statusMs.push(performance.now() - started);
      // The reply's text is the verdict and its reasons: shows which probe, if any, ran into its deadline.
      const text = String(reply.body.text).replace(/\n/g, ' | ');
      verdicts.set(text, (verdicts.get(text) ?? 0) + 1);
    }
    loadRunning = false;
    await Promise.all(loads);

    const round = (n: number) => Math.round(n);
    const result = {
      load: { enabled: WITH_LOAD, backupsCompleted: backups, backupsFailed: failedBackups },
      ack: { n: ackMs.length, p50: round(percentile(ackMs, 50)), p99: round(percentile(ackMs, 99)), max: round(Math.max(...ackMs)), targetP99: 300 },
      statusVerdicts: Object.fromEntries(verdicts),
      statusEndToEnd: { n: statusMs.length, p50: round(percentile(statusMs, 50)), p95: round(percentile(statusMs, 95)), max: round(Math.max(...statusMs)), targetP95: 1000 },
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    loadRunning = false;
    await Promise.allSettled(loads);
    if (bot && bot.exitCode === null) {
      bot.kill('SIGTERM');
      await once(bot, 'exit');
    }
    await slackStandIn.stop();
    await teardown();
  }
}

await main();
