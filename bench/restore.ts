/**
 * `npm run bench:restore [-- --size-mb 2048]` — not a test: measures Odoo's
 * downtime and the total time of a restore on the real test bed, ours against
 * the way the old scripts did it, in one run, on bench:backup's dataset.
 *
 * - ours: `odoo-ops restore <name> --yes --json` as its own process, with its
 *   defaults (verification, restore beside the live data, switch, then the
 *   archive of the data set aside; no safety backup);
 * - baseline, the old restore.sh: untar the archive, stop Odoo, drop the
 *   database, create it, pg_restore, replace the filestore, start Odoo.
 * Downtime is measured from outside, as a user sees it: `/web/health` polled
 * every 50 ms, each failed or refused poll counting until the next good one.
 * Target: our downtime ≤ 0.1× the baseline's. Ours runs twice: quiet, and
 * with one slow request in flight when the switch stops Odoo (it then waits
 * for the request until ODOO_STOP_TIMEOUT, 5 s, and is killed).
 * `--stages-only` times our restore's stages in-process instead.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { runBackup } from '../services/backup/run-backup.js';
import { runRestore } from '../services/restore/run-restore.js';
import { buildServices } from '../src/build-services.js';
import { loadConfig } from '../src/config.js';
import { testbedEnv } from '../test/helpers/testbed-env.js';
import type { TestbedInfo } from '../test/testbed/testbed-info.js';
import { withDataset } from './dataset.js';

const BIN = fileURLToPath(new URL('../bin/odoo-ops.js', import.meta.url));
const ADDONS = fileURLToPath(new URL('../addons', import.meta.url));

/** Polls /web/health until stopped; returns how long it was failing in all. */
function watchDowntime(url: string): { stop: () => Promise<number> } {
  let running = true;
  let downMs = 0;
  const loop = (async () => {
    let downSince: number | null = null;
    while (running) {
      const ok = await fetch(new URL('/web/health', url), { signal: AbortSignal.timeout(1000) }).then(
        (r) => r.status === 200,
        () => false,
      );
      const now = Date.now();
      if (!ok && downSince === null) downSince = now;
      if (ok && downSince !== null) {
        downMs += now - downSince;
        downSince = null;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    if (downSince !== null) downMs += Date.now() - downSince;
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return downMs;
    },
  };
}

/** Runs a command to its end, timing it while watching Odoo's health. */
async function timed(program: string, args: string[], env: NodeJS.ProcessEnv, odooUrl: string): Promise<{ wallMs: number; downtimeMs: number; stdout: string }> {
  const watch = watchDowntime(odooUrl);
  const started = Date.now();
  const child = spawn(program, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout!.on('data', (d) => (stdout += d));
  const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
  const wallMs = Date.now() - started;
  const downtimeMs = await watch.stop();
  if (code !== 0) throw new Error(`${program} ${args.join(' ')} exited ${code}: ${stdout}`);
  return { wallMs, downtimeMs, stdout };
}

/**
 * Holds one request in flight on Odoo (the stand-in's /cgi-bin/slow, far
 * longer than any stop timeout); resolves once Odoo serves it. `ended` says
 * how it ended: answered, or cut by the stop.
 */
async function holdRequest(url: string): Promise<{ ended: Promise<string> }> {
  const response = await fetch(new URL('/cgi-bin/slow?seconds=3600', url));
  if (response.status !== 200) throw new Error(`the slow request answered HTTP ${response.status}`);
  return { ended: response.text().then(() => 'answered', (error: Error) => `cut (${error.message})`) };
}

/** The old restore.sh: everything after `docker stop` is downtime. */
function baselineScript(testbed: TestbedInfo, archive: string, work: string): string {
  const { db, odoo } = testbed.stack;
  const folder = join(work, 'extracted');
  const psql = `docker exec ${db.container} psql -U ${db.user} -d postgres -v ON_ERROR_STOP=1 -c`;
  return [
    'set -e',
    `mkdir -p ${folder} && tar xzf ${archive} -C ${folder} --strip-components=1`,
    `docker stop -t 10 ${odoo.container} > /dev/null`,
    `${psql} 'DROP DATABASE IF EXISTS "${db.database}" WITH (FORCE)' > /dev/null`,
    `${psql} 'CREATE DATABASE "${db.database}" TEMPLATE template0 OWNER "${db.user}"' > /dev/null`,
    `docker exec -i ${db.container} pg_restore --no-owner -U ${db.user} -d ${db.database} < ${folder}/database.dump`,
    `rm -rf ${odoo.dataDir}/filestore/${db.database}`,
    `tar xzf ${folder}/filestore.tar.gz -C ${odoo.dataDir}`,
    `chown -R 101:101 ${odoo.dataDir}/filestore/${db.database}`,
    `docker start ${odoo.container} > /dev/null`,
    `until curl -sf ${odoo.url}/web/health > /dev/null; do sleep 0.1; done`,
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'size-mb': { type: 'string', default: '2048' }, 'stages-only': { type: 'boolean' } } });
  const sizeMb = Number(values['size-mb']);
  await withDataset(sizeMb, async (tb) => {
    const work = await mkdtemp(join(tb.workDir, 'bench-restore-'));
    const env = { ...process.env, ...testbedEnv(tb, { ADDONS_DIR: ADDONS, CF_R2_PREFIX: 'restore-bench/', BACKUP_DIR: join(work, 'backup') }) } as NodeJS.ProcessEnv;
    console.error('preparing: one backup of the dataset');
    const services = buildServices(loadConfig(env, 'cli'));
    const backup = await runBackup(services, { startedBy: 'bench' });
    if (!backup.ok) throw backup.error;
    if (values['stages-only']) {
      // Where the time goes, stage by stage, in-process (no comparison).
      const t0 = Date.now();
      const outcome = await runRestore(services, { name: backup.name, startedBy: 'bench', onProgress: (p) => console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s  ${p.stage} ${p.state}`) });
      console.log(outcome.ok ? `ok, downtime ${outcome.downtimeMs} ms` : `failed: ${outcome.error.message}`);
      return;
    }

    const oursEnv = { ...env, ODOO_STOP_TIMEOUT: '5' };
    console.error('running: odoo-ops restore --yes (quiet)');
    const ours = await timed(BIN, ['restore', backup.name, '--yes', '--json'], oursEnv, tb.stack.odoo.url);
    const reported = JSON.parse(ours.stdout) as { downtimeMs: number; servingAfterMs: number };

    console.error('running: odoo-ops restore --yes (one slow request in flight, ODOO_STOP_TIMEOUT=5)');
    const held = await holdRequest(tb.stack.odoo.url);
    const busy = await timed(BIN, ['restore', backup.name, '--yes', '--json'], oursEnv, tb.stack.odoo.url);
    const busyReported = JSON.parse(busy.stdout) as { downtimeMs: number };
    const heldEnd = await held.ended;

    console.error('running: baseline (the old restore.sh steps)');
    const dockerHost = tb.dockerHost.startsWith('/') ? `unix://${tb.dockerHost}` : tb.dockerHost;
    const base = await timed('bash', ['-c', baselineScript(tb, join(work, 'backup', backup.name), work)], { ...env, DOCKER_HOST: dockerHost }, tb.stack.odoo.url);

    console.log(`\nbench:restore — dataset ${sizeMb} MB (tables + attachments), archive ${(backup.sizeBytes / 1024 / 1024).toFixed(1)} MB, ${new Date().toISOString()}`);
    console.log('| run | Odoo downtime (seen from /web/health) | serving the restored data after | total (with the archive of the set-aside data) |');
    console.log('| --- | --- | --- | --- |');
    console.log(`| odoo-ops restore (verify, restore beside, switch, archive-previous) | ${(ours.downtimeMs / 1000).toFixed(1)} s (it reports ${(reported.downtimeMs / 1000).toFixed(1)} s) | ${(reported.servingAfterMs / 1000).toFixed(1)} s | ${(ours.wallMs / 1000).toFixed(1)} s |`);
    console.log(`| odoo-ops restore, one request in flight (ODOO_STOP_TIMEOUT=5) | ${(busy.downtimeMs / 1000).toFixed(1)} s (it reports ${(busyReported.downtimeMs / 1000).toFixed(1)} s) | – | ${(busy.wallMs / 1000).toFixed(1)} s |`);
    console.log(`| baseline (old restore.sh) | ${(base.downtimeMs / 1000).toFixed(1)} s | ${(base.wallMs / 1000).toFixed(1)} s | ${(base.wallMs / 1000).toFixed(1)} s |`);
    console.log(`recovery time ours/baseline: ${(reported.servingAfterMs / base.wallMs).toFixed(2)}× to serving, ${(ours.wallMs / base.wallMs).toFixed(2)}× in all (target ≤ 1.5×)`);
    console.log(`\nthe request in flight: ${heldEnd}`);
    console.log(`downtime ours/baseline: ${(ours.downtimeMs / base.downtimeMs).toFixed(3)}× quiet (target ≤ 0.10×)`);
    await rm(work, { recursive: true, force: true });
  });
}

await main();
