import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type Docker from 'dockerode';
import { debianMirror, imageExists } from './test-images.js';
import { runCommand } from './run-command.js';

const PACKAGES = ['postgresql-client-15'];

/** The npm package directory of the npm this machine runs (`npm root -g`/npm). */
function hostNpmDir(): string {
  return join(execFileSync('npm', ['root', '-g'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim(), 'npm');
}

/**
 * A stand-in for `node:22-bookworm-slim`, which no registry here can serve: a
 * Debian bookworm root filesystem (debootstrap) with PostgreSQL 15's client
 * tools, and this machine's Node.js binary and npm copied in. The Dockerfile's
 * BASE_IMAGE argument points at it, so the image builds without apt. Tagged by a
 * hash of its recipe and of the Node and npm versions, built once and then reused.
 * Returns the tag to build on.
 */
export async function ensureBotBaseImage(docker: Docker, log: (line: string) => void): Promise<string> {
  const npmDir = hostNpmDir();
  const npmVersion = (JSON.parse(readFileSync(join(npmDir, 'package.json'), 'utf8')) as { version: string }).version;
  const recipe = createHash('sha256').update(PACKAGES.join(',')).update(process.version).update(npmVersion).digest('hex').slice(0, 12);
  const rootfsTag = `odoo-ops-test/node-base:bookworm-${recipe}`;
  if (!(await imageExists(docker, rootfsTag))) await buildRootfsImage(rootfsTag, npmDir, log);
  return withHostTrust(docker, rootfsTag, log);
}

/**
 * The base image plus the CA certificates this machine trusts, for npm inside
 * `docker build`: here the registry is reached through a TLS-inspecting egress
 * proxy that the host trusts through NODE_EXTRA_CA_CERTS. Without such a
 * setting the base image is used as it is.
 */
async function withHostTrust(docker: Docker, base: string, log: (line: string) => void): Promise<string> {
  const caFile = process.env.NODE_EXTRA_CA_CERTS;
  if (!caFile) return base;
  const ca = readFileSync(caFile);
  const tag = `${base}-ca-${createHash('sha256').update(ca).digest('hex').slice(0, 12)}`;
  if (await imageExists(docker, tag)) return tag;
  const context = await mkdtemp(join(tmpdir(), 'odoo-ops-node-ca-'));
  try {
    await writeFile(join(context, 'host-ca.crt'), ca);
    await writeFile(join(context, 'Dockerfile'), `FROM ${base}\nCOPY host-ca.crt /usr/local/share/host-ca.crt\nENV NODE_EXTRA_CA_CERTS=/usr/local/share/host-ca.crt\n`);
    await runCommand('docker', ['build', '--network', 'none', '-t', tag, context]);
    log(`bot base image: built ${tag} (the host's CA certificates for npm)`);
  } finally {
    await rm(context, { recursive: true, force: true });
  }
  return tag;
}

async function buildRootfsImage(tag: string, npmDir: string, log: (line: string) => void): Promise<void> {
  log(`bot base image: building ${tag} with debootstrap (a few minutes, once)`);
  const work = await mkdtemp(join(tmpdir(), 'odoo-ops-node-rootfs-'));
  const rootfs = join(work, 'rootfs');
  try {
    await runCommand('debootstrap', ['--variant=minbase', `--include=${PACKAGES.join(',')}`, 'bookworm', rootfs, debianMirror()]);
    for (const dir of ['var/cache/apt/archives', 'var/lib/apt/lists']) await rm(join(rootfs, dir), { recursive: true, force: true });
    await cp(process.execPath, join(rootfs, 'usr/local/bin/node'));
    const npmTarget = join(rootfs, 'usr/local/lib/node_modules/npm');
    await mkdir(dirname(npmTarget), { recursive: true });
    await cp(npmDir, npmTarget, { recursive: true });
    await symlink('../lib/node_modules/npm/bin/npm-cli.js', join(rootfs, 'usr/local/bin/npm'));
    await symlink('../lib/node_modules/npm/bin/npx-cli.js', join(rootfs, 'usr/local/bin/npx'));
    const changes = ['ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'CMD ["node"]'].flatMap((c) => ['--change', c]);
    await runCommand('sh', ['-c', `tar -C "$0" -c . | docker import "$@" - ${tag}`, rootfs, ...changes]);
    log(`bot base image: built ${tag}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
