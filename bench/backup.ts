/**
 * `npm run bench:backup [-- --size-mb 2048]` — not a test: measures a full
 * backup on the real test bed against the way the old scripts did it.
 *
 * Dataset (Odoo-shaped, about --size-mb in all, half tables and half
 * attachments, one third of the bytes incompressible): a partner-like table of
 * text rows, an attachment table with random bytea, and filestore files
 * (two thirds text-like, one third random).
 *
 * Then, in one run, `--rounds` times (default 3), alternating:
 * - ours: `odoo-ops backup --json` as its own process;
 * - baseline, the old steps one after another: pg_dump to a file, tar czf the
 *   filestore, tar czf the addons, tar czf everything, upload the whole file.
 * For both: wall time, peak extra disk in the backup directory, peak RSS of the
 * local processes, archive size; then the ratios against the targets
 * (wall ≤ 0.5× baseline, RSS ≤ 200 MB, extra disk ≤ 1.1× archive), on the
 * median wall times and the worst disk and RSS figures.
 */
import { execFile, spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Upload } from '@aws-sdk/lib-storage';
import { runBackup } from '../services/backup/run-backup.js';
import { createS3Client } from '../services/storage/s3-client.js';
import { buildServices } from '../src/build-services.js';
import { loadConfig } from '../src/config.js';
import { testbedEnv } from '../test/helpers/testbed-env.js';
import type { TestbedInfo } from '../test/testbed/testbed-info.js';
import { MB, withDataset } from './dataset.js';

const BIN = fileURLToPath(new URL('../bin/odoo-ops.js', import.meta.url));
const ADDONS = fileURLToPath(new URL('../addons', import.meta.url));

interface Measured {
  wallMs: number;
  peakDiskBytes: number;
  peakRssBytes: number;
  archiveBytes: number;
}

/** Bytes under a directory (files only). */
async function du(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) total += await du(full);
    else total += (await stat(full).catch(() => ({ size: 0 }))).size;
  }
  return total;
}

/** RSS of a process and all its descendants, following /proc/<pid>/task/<tid>/children. */
async function treeRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  let total = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0) * 1024;
  for (const task of await readdir(`/proc/${pid}/task`).catch(() => [])) {
    const children = (await readFile(`/proc/${pid}/task/${task}/children`, 'utf8').catch(() => '')).split(' ').filter(Boolean);
    for (const child of children) total += await treeRss(Number(child));
  }
  return total;
}

/** Runs a command, sampling the backup dir's size and the process tree's RSS every 200 ms. */
async function measure(program: string, args: string[], env: NodeJS.ProcessEnv, dir: string): Promise<Omit<Measured, 'archiveBytes'> & { stdout: string }> {
  const started = Date.now();
  const child = spawn(program, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout!.on('data', (d) => (stdout += d));
  let peakDiskBytes = 0;
  let peakRssBytes = 0;
  let running = true;
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  const sampler = (async () => {
    while (running) {
      peakDiskBytes = Math.max(peakDiskBytes, await du(dir));
      peakRssBytes = Math.max(peakRssBytes, await treeRss(child.pid!));
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  const code = await exited;
  const wallMs = Date.now() - started;
  running = false;
  await sampler;
  if (code !== 0) throw new Error(`${program} ${args.join(' ')} exited ${code}: ${stdout}`);
  return { wallMs, peakDiskBytes, peakRssBytes, stdout };
}

/** The old backup.sh, step by step: each output written in full before the next step reads it. */
function baselineScript(testbed: TestbedInfo, dir: string, name: string): string {
  const folder = join(dir, name);
  return [
    'set -e',
    `mkdir -p ${folder}`,
    `docker exec ${testbed.stack.db.container} pg_dump -Fc -U ${testbed.stack.db.user} -d ${testbed.stack.db.database} > ${folder}/database.dump`,
    `tar czf ${folder}/filestore.tar.gz -C ${testbed.stack.odoo.dataDir} filestore/${testbed.stack.db.database}`,
    `tar czf ${folder}/addons.tar.gz -C ${ADDONS} .`,
    `tar czf ${dir}/${name}.tar.gz -C ${dir} ${name}`,
    `rm -rf ${folder}`,
    `"${process.execPath}" "${fileURLToPath(import.meta.url)}" --upload ${dir}/${name}.tar.gz`,
  ].join('\n');
}

/** `--upload FILE`: the old `aws s3 cp` of the whole archive (used by the baseline script). */
async function uploadWhole(file: string): Promise<void> {
  const s3 = createS3Client({ endpoint: process.env.CF_R2_ENDPOINT!, accessKeyId: process.env.CF_R2_ACCESS_KEY_ID!, secretAccessKey: process.env.CF_R2_SECRET_ACCESS_KEY! });
  await new Upload({ client: s3, params: { Bucket: process.env.CF_R2_BUCKET!, Key: `baseline/${file.split('/').pop()}`, Body: createReadStream(file) } }).done();
}

/** Median wall time; the worst (largest) disk, RSS and archive size. */
function summary(runs: Measured[]): Measured {
  const walls = runs.map((r) => r.wallMs).sort((x, y) => x - y);
  const max = (key: keyof Measured) => Math.max(...runs.map((r) => r[key]));
  return { wallMs: walls[Math.floor(walls.length / 2)]!, peakDiskBytes: max('peakDiskBytes'), peakRssBytes: max('peakRssBytes'), archiveBytes: max('archiveBytes') };
}

/** Removes a run's output and flushes the page cache's dirty pages, so the next run does not pay for this one's writes. */
async function settle(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await promisify(execFile)('sync');
}

const ratio = (a: number, b: number) => (b === 0 ? 'n/a' : `${(a / b).toFixed(2)}×`);
const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'size-mb': { type: 'string', default: '2048' }, upload: { type: 'string' }, 'stages-only': { type: 'boolean' }, rounds: { type: 'string', default: '3' } } });
  if (values.upload) return uploadWhole(values.upload);
  const sizeMb = Number(values['size-mb']);
  await withDataset(sizeMb, async (tb) => {
    const work = await mkdtemp(join(tb.workDir, 'bench-'));
    const env = { ...process.env, ...testbedEnv(tb, { ADDONS_DIR: ADDONS, CF_R2_PREFIX: 'ours/' }) } as NodeJS.ProcessEnv;

    if (values['stages-only']) {
      // Where the time goes, stage by stage, in-process (no comparison).
      const services = buildServices(loadConfig({ ...env, BACKUP_DIR: join(work, 'stages') }, 'cli'));
      const t0 = Date.now();
      const outcome = await runBackup(services, { startedBy: 'bench', onProgress: (p) => p.state !== 'bytes' && console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s  ${p.stage} ${p.state}`) });
      console.log(outcome.ok ? `ok ${outcome.sizeBytes} bytes` : `failed: ${outcome.error.message}`);
      return;
    }
    // The docker CLI wants a URL where odoo-ops also takes a socket path.
    const dockerHost = tb.dockerHost.startsWith('/') ? `unix://${tb.dockerHost}` : tb.dockerHost;
    const tsxEnv = { ...env, DOCKER_HOST: dockerHost, NODE_OPTIONS: '--import tsx' };
    // Rounds alternate ours and the baseline: on a shared 2-core VM one run
    // varies by ±20 %, so the comparison is of medians.
    const rounds = Math.max(1, Number(values.rounds));
    const ours: Measured[] = [];
    const base: Measured[] = [];
    for (let round = 1; round <= rounds; round++) {
      const oursDir = join(work, `ours-${round}`);
      console.error(`round ${round}/${rounds}: odoo-ops backup`);
      // Run as a user does (`odoo-ops backup`): through the bin and its shebang.
      const run = await measure(BIN, ['backup', '--json'], { ...env, BACKUP_DIR: oursDir }, oursDir);
      ours.push({ ...run, archiveBytes: (JSON.parse(run.stdout) as { sizeBytes: number }).sizeBytes });
      await settle(oursDir);

      const baseDir = join(work, `baseline-${round}`);
      await mkdir(baseDir, { recursive: true });
      console.error(`round ${round}/${rounds}: baseline (the old steps one after another)`);
      const baseRun = await measure('bash', ['-c', baselineScript(tb, baseDir, 'odoo_backup_baseline')], tsxEnv, baseDir);
      base.push({ ...baseRun, archiveBytes: (await stat(join(baseDir, 'odoo_backup_baseline.tar.gz'))).size });
      await settle(baseDir);
    }

    console.log(`\nbench:backup — dataset ${sizeMb} MB (tables + attachments), ${rounds} round(s), ${new Date().toISOString()}`);
    console.log('| run | wall time | peak extra disk | peak RSS | archive size |');
    console.log('| --- | --- | --- | --- | --- |');
    const row = (label: string, m: Measured) => console.log(`| ${label} | ${(m.wallMs / 1000).toFixed(1)} s | ${mb(m.peakDiskBytes)} | ${mb(m.peakRssBytes)} | ${mb(m.archiveBytes)} |`);
    for (let i = 0; i < rounds; i++) {
      row(`odoo-ops backup, round ${i + 1}`, ours[i]!);
      row(`baseline (old scripts), round ${i + 1}`, base[i]!);
    }
    const o = summary(ours);
    const b = summary(base);
    if (rounds > 1) {
      row('odoo-ops backup: median wall, worst disk and RSS', o);
      row('baseline: median wall, worst disk and RSS', b);
    }
    console.log(`\nwall time ours/baseline: ${ratio(o.wallMs, b.wallMs)} (target ≤ 0.50×)${rounds > 1 ? ' (medians)' : ''}`);
    console.log(`peak RSS ours: ${mb(o.peakRssBytes)} (target ≤ 200 MB)`);
    console.log(`peak extra disk / archive, ours: ${ratio(o.peakDiskBytes, o.archiveBytes)} (target ≤ 1.10×); baseline: ${ratio(b.peakDiskBytes, b.archiveBytes)}`);
    await rm(work, { recursive: true, force: true });
  });
}

await main();
