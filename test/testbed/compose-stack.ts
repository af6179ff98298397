import { chmod, chown, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';
import { runToEnd } from './run-command.js';

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
  /** What the copy of docker-compose.yml leaves out (see forHostNetwork). */
  changes: HostNetworkChanges;
  /** `docker-compose <args>` in this project, to completion (never rejects on a non-zero exit). */
  compose(args: string[]): Promise<ComposeResult>;
  /** `docker-compose down -v` and the project directory removed; the bot's image too. */
  down(): Promise<void>;
}

/** What forHostNetwork took out of the compose file. */
export interface HostNetworkChanges {
  /** Published ports, by service (`"80:8069"` of odoo today). */
  ports: Record<string, string[]>;
  /** Networks each service was on. */
  networks: Record<string, string[]>;
  /** The top-level networks declared. */
  declared: string[];
}

/**
 * The shipped docker-compose.yml for the host network: without the services'
 * `ports:` and `networks:` and without the top-level `networks:`; the
 * override then gives every service `network_mode: host`. An override cannot
 * do this: compose 1.29 merges an override's ports and networks into the
 * file's, never removes one, rejects `network_mode` beside `networks`, and
 * gives every container a network alias, which the host network refuses.
 * Nothing else changes. Line-based for the file's own layout (two-space
 * indents, flow or block lists); throws on a form it does not know, rather
 * than run a half-changed file.
 */
export function forHostNetwork(compose: string): { text: string; changes: HostNetworkChanges } {
  const lines = compose.split('\n');
  const kept: string[] = [];
  const changes: HostNetworkChanges = { ports: {}, networks: {}, declared: [] };
  let section = '';
  let service = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const top = /^([a-z][\w-]*):/.exec(line);
    if (top) section = top[1]!;
    if (section === 'networks') {
      const name = /^ {2}([\w-]+):/.exec(line);
      if (name) changes.declared.push(name[1]!);
      continue;
    }
    const svc = section === 'services' ? /^ {2}([\w-]+):\s*$/.exec(line) : null;
    if (svc) service = svc[1]!;
    const key = section === 'services' ? /^ {4}(ports|networks):\s*(.*)$/.exec(line) : null;
    if (!key) {
      kept.push(line);
      continue;
    }
    const [, field, rest] = key as unknown as [string, 'ports' | 'networks', string];
    const items: string[] = [];
    if (rest.startsWith('[') && rest.endsWith(']')) items.push(...rest.slice(1, -1).split(',').map((s) => s.trim()).filter(Boolean));
    else if (rest === '') while (i + 1 < lines.length && /^ {6}- /.test(lines[i + 1]!)) items.push(lines[++i]!.replace(/^ {6}- /, '').trim());
    else throw new Error(`docker-compose.yml, service ${service}: cannot read "${line.trim()}" (expected a list)`);
    changes[field][service] = items;
  }
  return { text: kept.join('\n'), changes };
}

/**
 * Prepares (does not start) the compose stack of docker-compose.yml for the
 * test bed's engine, in a new project directory: the compose file for the host network (forHostNetwork),
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
  const { text, changes } = forHostNetwork(await readFile(join(ROOT, 'docker-compose.yml'), 'utf8'));
  await writeFile(join(dir, 'docker-compose.yml'), text);
  await mkdir(join(dir, 'config'));
  await copyFile(join(ROOT, 'config', 'odoo.conf'), join(dir, 'config', 'odoo.conf'));
  await mkdir(join(dir, 'addons', 'my_module'), { recursive: true });
  await writeFile(join(dir, 'addons', 'my_module', '__manifest__.py'), "{'name': 'My Module'}\n");
  // As the compose file's header tells the operator: ./backup belongs to uid 101.
  await mkdir(join(dir, 'backup'));
  await chown(join(dir, 'backup'), 101, 101);
  await chmod(join(dir, 'backup'), 0o700);

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
    changes,
    compose,
    down: async () => {
      await compose(['down', '-v', '--remove-orphans', '-t', '10']);
      await run('docker', ['image', 'rm', botImage], dockerHost);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const run = (program: string, args: string[], dockerHost: string): Promise<ComposeResult> => runToEnd(program, args, { PATH: process.env.PATH, HOME: process.env.HOME, DOCKER_HOST: dockerHost });
