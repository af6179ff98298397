import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import { runCommand } from './run-command.js';

const FILES = fileURLToPath(new URL('./image-files/', import.meta.url));
const PACKAGES = ['postgresql-15', 'busybox'];
const PG_BIN = '/usr/lib/postgresql/15/bin';
const PATH = `${PG_BIN}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;

export interface TestImages {
  postgres: string;
  odooStandIn: string;
}

/** The Debian mirror apt already uses here, so debootstrap needs no other host. */
export function debianMirror(): string {
  for (const file of ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list']) {
    if (!existsSync(file)) continue;
    const match = /(?:URIs:\s*|deb\s+(?:\[[^\]]*\]\s+)?)(https?:\/\/\S+\/debian)\b(?!-security)/.exec(readFileSync(file, 'utf8'));
    if (match) return match[1]!;
  }
  return 'http://deb.debian.org/debian';
}

/** Marks an image tagged under a real image's name (postgres:15, odoo:17 …) as a test stand-in (see compose-images.ts). */
export const STAND_IN_LABEL = 'odoo-ops.test-stand-in';

export async function imageExists(docker: Docker, tag: string): Promise<boolean> {
  try {
    await docker.getImage(tag).inspect();
    return true;
  } catch {
    return false;
  }
}

/** True when `tag` exists and is not one of our stand-ins (which may be of an older recipe). */
async function isRealImage(docker: Docker, tag: string): Promise<boolean> {
  try {
    return !(STAND_IN_LABEL in ((await docker.getImage(tag).inspect()).Config.Labels ?? {}));
  } catch {
    return false;
  }
}

async function tryPull(docker: Docker, tag: string): Promise<boolean> {
  try {
    const stream = await docker.pull(tag);
    await new Promise((resolve, reject) => docker.modem.followProgress(stream, (err) => (err ? reject(err) : resolve(null))));
    return true;
  } catch {
    return false; // no registry reachable: expected here
  }
}

/**
 * Images for the test stack. PostgreSQL: `postgres:15` when the engine has it or
 * can pull it; otherwise, like the Odoo stand-in, imported from a Debian bookworm
 * root filesystem made with debootstrap. The tag carries a hash of the recipe, so
 * a second run reuses the image and a changed recipe builds a new one.
 */
export async function ensureTestImages(docker: Docker, log: (line: string) => void): Promise<TestImages> {
  const recipe = createHash('sha256')
    .update(PACKAGES.join(','))
    .update(readFileSync(join(FILES, 'postgres-entrypoint.sh')))
    .update(readFileSync(join(FILES, 'odoo-standin.sh')))
    .digest('hex')
    .slice(0, 12);
  const local = { postgres: `odoo-ops-test/postgres:15-${recipe}`, odooStandIn: `odoo-ops-test/odoo-standin:17-${recipe}` };

  let postgres = local.postgres;
  if ((await isRealImage(docker, 'postgres:15')) || (await tryPull(docker, 'postgres:15'))) postgres = 'postgres:15';

  const needed = [local.odooStandIn, ...(postgres === local.postgres ? [local.postgres] : [])];
  const missing = [];
  for (const tag of needed) if (!(await imageExists(docker, tag))) missing.push(tag);
  if (missing.length === 0) {
    log(`test images: using cached ${needed.join(', ')}`);
    return { postgres, odooStandIn: local.odooStandIn };
  }

  log(`test images: building ${missing.join(', ')} with debootstrap (takes a few minutes, once)`);
  const work = await mkdtemp(join(tmpdir(), 'odoo-ops-rootfs-'));
  const rootfs = join(work, 'rootfs');
  try {
    await runCommand('debootstrap', ['--variant=minbase', `--include=${PACKAGES.join(',')}`, 'bookworm', rootfs, debianMirror()]);
    // The package's own cluster and download cache are dead weight in the image.
    for (const dir of ['var/cache/apt/archives', 'var/lib/apt/lists', 'var/lib/postgresql/15', 'etc/postgresql/15']) {
      await rm(join(rootfs, dir), { recursive: true, force: true });
    }
    for (const script of ['postgres-entrypoint.sh', 'odoo-standin.sh']) {
      await copyFile(join(FILES, script), join(rootfs, 'usr/local/bin', script));
      await chmod(join(rootfs, 'usr/local/bin', script), 0o755);
    }
    const images: Record<string, string[]> = {
      [local.postgres]: [
        `ENV PATH=${PATH}`,
        'ENV PGDATA=/var/lib/postgresql/data',
        'ENTRYPOINT ["/usr/local/bin/postgres-entrypoint.sh"]',
        'CMD ["postgres"]',
      ],
      [local.odooStandIn]: [`ENV PATH=${PATH}`, 'ENTRYPOINT ["/usr/local/bin/odoo-standin.sh"]'],
    };
    for (const tag of missing) {
      const changes = images[tag]!.flatMap((c) => ['--change', c]);
      await runCommand('sh', ['-c', `tar -C "$0" -c . | docker import "$@" - ${tag}`, rootfs, ...changes]);
      log(`test images: built ${tag}`);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return { postgres, odooStandIn: local.odooStandIn };
}
