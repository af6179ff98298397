import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import { ensureBotBaseImage } from './bot-base-image.js';
import { runCommand } from './run-command.js';
import { debianMirror, imageExists, STAND_IN_LABEL, type TestImages } from './test-images.js';

const FILES = fileURLToPath(new URL('./image-files/', import.meta.url));
const PROXY_PACKAGES = ['haproxy'];
/**
 * Debian trixie's haproxy (3.0.11), not bookworm's (2.6): from 2.4 until the
 * fix of haproxy issue #2684 (in 3.1, backported to 3.0), haproxy answers 200
 * instead of passing on Docker's `101 UPGRADED` for a POST with a body, so
 * `docker exec` with stdin (the bot's pg_restore) cannot work through it.
 * tecnativa's image uses haproxy 3.2, which has the fix.
 */
const PROXY_SUITE = 'trixie';

/** The images docker-compose.yml names, by service (the bot's is built from the Dockerfile). */
export const COMPOSE_IMAGES = {
  db: 'postgres:15',
  odoo: 'odoo:17',
  'docker-proxy': 'tecnativa/docker-socket-proxy:latest',
} as const;

/**
 * tecnativa/docker-socket-proxy's defaults (their Dockerfile's ENV): what the
 * proxy allows when docker-compose.yml does not say otherwise.
 */
const PROXY_DEFAULTS: Record<string, string> = {
  ALLOW_RESTARTS: '0', ALLOW_STOP: '0', ALLOW_START: '0', AUTH: '0', BUILD: '0', COMMIT: '0', CONFIGS: '0',
  CONTAINERS: '0', DISABLE_IPV6: '0', DISTRIBUTION: '0', EVENTS: '1', EXEC: '0', GRPC: '0', IMAGES: '0',
  INFO: '0', LOG_LEVEL: 'info', NETWORKS: '0', NODES: '0', PING: '1', PLUGINS: '0', POST: '0', SECRETS: '0',
  SERVICES: '0', SESSION: '0', SOCKET_PATH: '/var/run/docker.sock', SWARM: '0', SYSTEM: '0', TASKS: '0',
  VERSION: '1', VOLUMES: '0',
};

/**
 * Extra Dockerfile lines that make the test bed's images look like the real
 * ones where the compose file depends on it: the official postgres image
 * stops on SIGINT and declares its data volume; odoo:17 runs as uid 101 and
 * owns /var/lib/odoo, which Docker copies into the empty named volume
 * odoo-web-data on its first mount (so the bot, uid 101 too, can write there).
 */
const LOOK_ALIKE: Record<keyof typeof COMPOSE_IMAGES, string[]> = {
  db: ['STOPSIGNAL SIGINT', 'VOLUME ["/var/lib/postgresql/data"]'],
  odoo: [
    'RUN mkdir -p /var/lib/odoo /mnt/extra-addons /etc/odoo && chown 101:101 /var/lib/odoo',
    'USER 101:101',
    'VOLUME ["/var/lib/odoo", "/mnt/extra-addons"]',
  ],
  'docker-proxy': [],
};

export interface ComposeImages {
  /** The stand-in for node:22-bookworm-slim, for the Dockerfile's BASE_IMAGE. */
  botBase: string;
}

/**
 * Makes the images docker-compose.yml names exist on the engine, as stand-ins
 * (no registry is reachable here): postgres:15 and odoo:17 from the test bed's
 * images, tecnativa/docker-socket-proxy from Debian's haproxy with
 * tecnativa's configuration (debootstrap, built once and cached by a hash of
 * its recipe), and the bot's base image. Each tag is a small image over the
 * test one, labelled STAND_IN_LABEL. Refuses (throws) to replace a tag that
 * holds a real image, i.e. one without that label: on a machine that has
 * pulled postgres:15, the stand-in would silently replace it.
 * Side effects: builds and tags images on the engine; removes nothing.
 */
export async function ensureComposeImages(docker: Docker, testImages: TestImages, log: (line: string) => void): Promise<ComposeImages> {
  const sources: Record<keyof typeof COMPOSE_IMAGES, string> = {
    db: testImages.postgres,
    odoo: testImages.odooStandIn,
    'docker-proxy': await ensureProxyImage(docker, log),
  };
  for (const service of Object.keys(COMPOSE_IMAGES) as (keyof typeof COMPOSE_IMAGES)[]) {
    await tagStandIn(docker, COMPOSE_IMAGES[service], sources[service], LOOK_ALIKE[service]);
  }
  return { botBase: await ensureBotBaseImage(docker, log) };
}

async function tagStandIn(docker: Docker, tag: string, source: string, lines: string[]): Promise<void> {
  if (await imageExists(docker, tag)) {
    const labels = (await docker.getImage(tag).inspect()).Config.Labels ?? {};
    if (!(STAND_IN_LABEL in labels)) {
      throw new Error(`${tag} on this engine is a real image, not a test stand-in: the compose stack test would replace it; run it on an engine without ${tag} (such as the test bed's)`);
    }
  }
  const context = await mkdtemp(join(tmpdir(), 'odoo-ops-stand-in-'));
  try {
    await writeFile(join(context, 'Dockerfile'), [`FROM ${source}`, `LABEL ${STAND_IN_LABEL}="${source}"`, ...lines, ''].join('\n'));
    // Cached after the first time: then a no-op that re-points the tag if the source changed.
    await runCommand('docker', ['build', '--network', 'none', '-q', '-t', tag, context]);
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}

/** The haproxy-based proxy image (see image-files/docker-socket-proxy.cfg and PROXY_SUITE), by recipe hash. */
async function ensureProxyImage(docker: Docker, log: (line: string) => void): Promise<string> {
  const files = ['docker-socket-proxy.cfg', 'docker-socket-proxy-entrypoint.sh'];
  const hash = createHash('sha256').update(PROXY_SUITE).update(PROXY_PACKAGES.join(',')).update(JSON.stringify(PROXY_DEFAULTS));
  for (const file of files) hash.update(readFileSync(join(FILES, file)));
  const tag = `odoo-ops-test/docker-socket-proxy:haproxy-${hash.digest('hex').slice(0, 12)}`;
  if (await imageExists(docker, tag)) return tag;

  log(`compose images: building ${tag} with debootstrap (a few minutes, once)`);
  const work = await mkdtemp(join(tmpdir(), 'odoo-ops-proxy-rootfs-'));
  const rootfs = join(work, 'rootfs');
  try {
    await runCommand('debootstrap', ['--variant=minbase', `--include=${PROXY_PACKAGES.join(',')}`, PROXY_SUITE, rootfs, debianMirror()]);
    for (const dir of ['var/cache/apt/archives', 'var/lib/apt/lists']) await rm(join(rootfs, dir), { recursive: true, force: true });
    await mkdir(join(rootfs, 'usr/local/etc/haproxy'), { recursive: true });
    await copyFile(join(FILES, 'docker-socket-proxy.cfg'), join(rootfs, 'usr/local/etc/haproxy/haproxy.cfg.template'));
    await copyFile(join(FILES, 'docker-socket-proxy-entrypoint.sh'), join(rootfs, 'usr/local/bin/docker-entrypoint.sh'));
    await chmod(join(rootfs, 'usr/local/bin/docker-entrypoint.sh'), 0o755);
    const changes = [
      ...Object.entries(PROXY_DEFAULTS).map(([k, v]) => `ENV ${k}=${v}`),
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      'EXPOSE 2375',
      'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]',
    ].flatMap((c) => ['--change', c]);
    await runCommand('sh', ['-c', `tar -C "$0" -c . | docker import "$@" - ${tag}`, rootfs, ...changes]);
    log(`compose images: built ${tag}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return tag;
}

/**
 * Untags the stand-ins again, so that the engine, shared with other test runs,
 * is left with no image under a real name (a test bed without the
 * STAND_IN_LABEL check in test-images.ts would take postgres:15 for the real
 * one). A tag still used by a container stays (Docker refuses); a real image
 * is never touched. The test images they were made from stay cached.
 */
export async function removeComposeStandIns(docker: Docker): Promise<void> {
  for (const tag of Object.values(COMPOSE_IMAGES)) {
    try {
      const labels = (await docker.getImage(tag).inspect()).Config.Labels ?? {};
      if (STAND_IN_LABEL in labels) await docker.getImage(tag).remove();
    } catch {
      // Absent, or in use by a container of another run: left as it is.
    }
  }
}
