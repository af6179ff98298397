import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runBackup, type BackupProgress } from '../../services/backup/run-backup.js';
import { RunningOperations } from '../../src/running-operations.js';
import { backupWorld } from '../helpers/backup-services.js';
import { keysUnder } from '../helpers/bucket.js';
import { seedDatabase, seedFilestore } from '../helpers/seed-odoo.js';
import { postSlashCommand } from '../helpers/signed-slack-request.js';
import { httpBotEnv, startBotProcess } from '../helpers/bot-process.js';
import { freePort } from '../testbed/free-port.js';
import { runCommand } from '../testbed/run-command.js';
import { SlackStandIn, type SlackCall } from '../testbed/slack-stand-in.js';

const testbed = inject('testbed');
const SIGNING_SECRET = 'deadbeefdeadbeefdeadbeefdeadbeef';
const textOf = (call: SlackCall) => String(call.body.text) + JSON.stringify(call.body.blocks ?? '');
const BIG_DIR = () => join(testbed.stack.odoo.dataDir, 'filestore', testbed.stack.db.database, 'fe');

/** Every file in BACKUP_DIR: after a clean stop only complete archives, no temp file, no lock. */
const entries = (dir: string) => readdir(dir).catch(() => [] as string[]);

describe('stopping while a backup runs', () => {
  beforeAll(async () => {
    await seedDatabase(testbed, 100);
    await seedFilestore(testbed.stack.odoo.dataDir, testbed.stack.db.database, 10);
    // Incompressible attachments: the archive spans several 5 MiB upload parts.
    await mkdir(BIG_DIR(), { recursive: true });
    await writeFile(join(BIG_DIR(), 'big-attachment'), randomBytes(12 * 1024 * 1024));
  });
  afterAll(() => rm(BIG_DIR(), { recursive: true, force: true }));

  /** Runs a backup tracked like the bot does and drains it (no grace) when `stage` starts or first reports bytes. */
  async function cancelledAt(stage: BackupProgress['stage'], state: BackupProgress['state']) {
    const world = await backupWorld(testbed);
    const operations = new RunningOperations();
    let draining: ReturnType<RunningOperations['drain']> | undefined;
    const running = operations.run((signal) =>
      runBackup(world.services, {
        startedBy: 'test',
        signal,
        onProgress: (p) => {
          if (p.stage === stage && p.state === state) draining ??= operations.drain({ graceMs: 0, cleanupMs: 30_000, reason: 'the bot is stopping' });
        },
      }),
    )!;
    const outcome = await running;
    const drained = await draining;
    return { world, outcome, drained };
  }

  it('cancelled during the dump: fails at that stage, no archive, no temp file, lock released, nothing uploaded', async () => {
    const { world, outcome, drained } = await cancelledAt('dump', 'started');
    expect(drained).toEqual({ finished: 0, cancelled: 1, abandoned: 0 });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.userMessage).toContain('cancelled: the bot is stopping');
    expect(await entries(world.backupDir)).toEqual([]);
    expect(await keysUnder(testbed, world.prefix)).toEqual([]);
    expect(await world.services.lock.holder()).toBeNull();
  });

  it('cancelled during the upload: the complete local archive is kept and said so, no object in the bucket', async () => {
    const { world, outcome } = await cancelledAt('upload', 'started');
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.stage).toBe('upload');
    expect(outcome.error.userMessage).toContain('cancelled: the bot is stopping');
    expect(await entries(world.backupDir)).toEqual([outcome.localArchive]);
    await runCommand('tar', ['-tzf', join(world.backupDir, outcome.localArchive!)]);
    // s3rver has no AbortMultipartUpload (README); what it can show: no object was completed.
    expect(await keysUnder(testbed, world.prefix)).toEqual([]);
  });

  it('the bot process on SIGTERM lets a Slack backup finish, posts its result, and exits 0 leaving only the complete archive', async () => {
    const slack = new SlackStandIn();
    await slack.start();
    const port = await freePort();
    const root = await mkdtemp(join(tmpdir(), 'odoo-ops-shutdown-'));
    const backupDir = join(root, 'backup');
    const prefix = `shutdown-${Date.now()}/`;
    const env = httpBotEnv(testbed, slack, { signingSecret: SIGNING_SECRET, backupDir, prefix, port });
    const { child: bot, url, stderr } = await startBotProcess(env, root);
    try {
      const ack = await postSlashCommand({ url, signingSecret: SIGNING_SECRET, text: 'backup', userId: 'U0ADMIN1', channelId: 'C0ALERTS', responseUrl: slack.responseUrl() });
      expect(ack.status).toBe(200);
      await slack.waitFor('chat.postMessage', (c) => textOf(c).includes('Backup started by <@U0ADMIN1>'), 10_000);
      const exited = once(bot, 'exit');
      bot.kill('SIGTERM');
      const [code] = await exited;
      expect(code).toBe(0);
      expect(slack.calls.some((c) => c.method === 'chat.update' && textOf(c).includes('Backup succeeded'))).toBe(true);
    } finally {
      bot.kill('SIGKILL');
      await slack.stop();
    }
    const files = await entries(backupDir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^odoo_backup_.*\.tar\.gz$/);
    await runCommand('tar', ['-tzf', join(backupDir, files[0]!)]);
    expect(await keysUnder(testbed, prefix)).toEqual([`${prefix}${files[0]}`]);
    expect(stderr()).toContain('"msg":"bot stopping"');
    expect(stderr()).toMatch(/"finished":1,"cancelled":0,"abandoned":0,"msg":"bot stopped"/);
    await rm(root, { recursive: true, force: true });
  }, 90_000);
});
