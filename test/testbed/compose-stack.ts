import { spawn } from 'node:child_process';
import { chown, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const OVERRIDE = fileURLToPath(new URL('./compose-hostnet.override.yml', import.meta.url));

export interface ComposeResult {
  code: number;
  out: string;
  err: string;
}

export interface ComposeStack {
  project: string;
  /** The project directory: the compose file's copy, .env, ./addons, ./backup, ./config. */
  dir: string;
  ports: { db: number; odoo: number; proxy: number; bot: number };
  /** The published ports taken out of the copy of docker-compose.yml (`80:8069` today). */
  removedPorts: string[];
  /** `docker-compose <args>` in this project, to completion (never rejects on a non-zero exit). */
  compose(args: string[]): Promise<ComposeResult>;
  /** `docker-compose down -v` and the project directory removed; the bot's image too. */
  down(): Promise<void>;
}

/**
 * The shipped docker-compose.yml without its `ports:` lists: compose 1.29
 * merges an override's ports into the file's and cannot remove one, and a
 * container on the host network cannot publish ports. Nothing else changes.
 */
export function withoutPublishedPorts(compose: string): { text: string; removed: string[] } {
  const lines = compose.split('\n');
  const kept: string[] = [];
  const removed: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const ports = /^(\s+)ports:\s*$/.exec(lines[i]!);
    if (!ports) {
      kept.push(lines[i]!);
      continue;
    }
    const item = new RegExp(`^${ports[1]}\\s+- (.*)$`);
    while (i + 1 < lines.length && item.test(lines[i + 1]!)) removed.push(item.exec(lines[++i]!)![1]!.trim());
  }
  return { text: kept.join('\n'), removed };
}

/**
 * Prepares (does not start) the compose stack of docker-compose.yml for the
 * test bed's engine, in a new project directory: the compose file as above,
 * test/testbed/compose-hostnet.override.yml beside it, config/odoo.conf, an
 * ./addons with one module, a ./backup owned by uid 101, and a .env holding
 * `env` (the operator's settings) plus free loopback ports and the image
 * names for the override. Docker-compose runs with only PATH, HOME and
 * DOCKER_HOST from this process, so nothing of the test's own environment
 * leaks into the stack.
 */
export async function prepareComposeStack(options: {
  project: string;
  dockerHost: string;
  botBaseImage: string;
  env: Record<string, string | undefined>;
}): Promise<ComposeStack> {
  const { project } = options;
  const dir = await mkdtemp(join(tmpdir(), 'odoo-ops-compose-stack-'));
  const { text, removed } = withoutPublishedPorts(await readFile(join(ROOT, 'docker-compose.yml'), 'utf8'));
  await writeFile(join(dir, 'docker-compose.yml'), text);
  await mkdir(join(dir, 'config'));
  await copyFile(join(ROOT, 'config', 'odoo.conf'), join(dir, 'config', 'odoo.conf'));
  await mkdir(join(dir, 'addons', 'my_module'), { recursive: true });
  await writeFile(join(dir, 'addons', 'my_module', '__manifest__.py'), "{'name': 'My Module'}\n");
  // As the compose file's header tells the operator: ./backup belongs to uid 101.
  await mkdir(join(dir, 'backup'));
  await chown(join(dir, 'backup'), 101, 101);

  const ports = { db: await freePort(), odoo: await freePort(), proxy: await freePort(), bot: await freePort() };
  const botImage = `odoo-ops-test/compose-bot:${project}`;
  const env = {
    ...options.env,
    PORT: String(ports.bot),
    TEST_PG_PORT: String(ports.db),
    TEST_ODOO_PORT: String(ports.odoo),
    TEST_PROXY_PORT: String(ports.proxy),
    TEST_OWNER_PID: String(process.pid),
    ODOO_OPS_ROOT: ROOT,
    BOT_BASE_IMAGE: options.botBaseImage,
    BOT_IMAGE: botImage,
  };
  await writeFile(join(dir, '.env'), Object.entries(env).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`).join('\n') + '\n', { mode: 0o600 });

  const dockerHost = options.dockerHost.startsWith('/') ? `unix://${options.dockerHost}` : options.dockerHost;
  const compose = (args: string[]) => run('docker-compose', ['-p', project, '--project-directory', dir, '-f', join(dir, 'docker-compose.yml'), '-f', OVERRIDE, ...args], dockerHost);
  return {
    project,
    dir,
    ports,
    removedPorts: removed,
    compose,
    down: async () => {
      await compose(['down', '-v', '--remove-orphans', '-t', '10']);
      await run('docker', ['image', 'rm', botImage], dockerHost);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function run(program: string, args: string[], dockerHost: string): Promise<ComposeResult> {
  return new Promise((resolve, reject) => {
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, DOCKER_HOST: dockerHost };
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}
