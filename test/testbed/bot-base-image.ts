import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
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
 */
export async function ensureBotBaseImage(docker: Docker, log: (line: string) => void): Promise<string> {
  const npmDir = hostNpmDir();
  const npmVersion = (JSON.parse(readFileSync(join(npmDir, 'package.json'), 'utf8')) as { version: string }).version;
  const recipe = createHash('sha256').update(PACKAGES.join(',')).update(process.version).update(npmVersion).digest('hex').slice(0, 12);
  const tag = `odoo-ops-test/node-base:bookworm-${recipe}`;
  if (await imageExists(docker, tag)) {
    log(`bot base image: using cached ${tag}`);
    return tag;
  }
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
  return tag;
}
