import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ownContainerIds } from '../../services/docker/own-container-ids.js';

const ID = '2f31e83e222b6e9ca69110897ff48c03489b2dc836b062e8509af32dca2990cb';
const OTHER = 'b2b308d4d4aa93cda6904a1e19238713c6c7eac2aee3404aaba0550ddd32ad9c';

const made: string[] = [];
afterAll(() => Promise.all(made.map((d) => rm(d, { recursive: true, force: true }))));

/** A /proc/self stand-in directory holding `files`. */
async function proc(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'odoo-ops-proc-'));
  made.push(dir);
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  return dir;
}

// Lines as Docker 20.10 writes them (seen in a container on the host network, where the host name is the host's).
const containerMountinfo = [
  '147 120 0:52 / / rw,relatime master:62 - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/X:/var/lib/docker/overlay2/l/Y',
  `164 147 254:0 /var/lib/docker/containers/${ID}/resolv.conf /etc/resolv.conf rw,relatime - ext4 /dev/vda rw`,
  `165 147 254:0 /var/lib/docker/containers/${ID}/hostname /etc/hostname rw,relatime - ext4 /dev/vda rw`,
  `166 147 254:0 /var/lib/docker/containers/${ID}/hosts /etc/hosts rw,relatime - ext4 /dev/vda rw`,
].join('\n');

describe('ownContainerIds: the id of the container odoo-ops runs in', () => {
  it('reads it from the runtime files mounted at /etc (host network, cgroup v2 with its own namespace)', async () => {
    const dir = await proc({ mountinfo: containerMountinfo, cgroup: '0::/\n' });
    expect(await ownContainerIds(dir, 'vm')).toEqual([ID]);
  });

  it('with /var/lib/docker on its own file system (the mount root starts at containers/)', async () => {
    const dir = await proc({ mountinfo: `165 147 254:16 /containers/${ID}/hostname /etc/hostname rw,relatime - ext4 /dev/vdb rw\n`, cgroup: '' });
    expect(await ownContainerIds(dir, 'vm')).toEqual([ID]);
  });

  it('falls back to cgroup v1 and the systemd driver, then to a host name that is a short id', async () => {
    const v1 = await proc({ mountinfo: '', cgroup: `12:memory:/docker/${ID}\n0::/docker/${ID}\n` });
    expect(await ownContainerIds(v1, 'vm')).toEqual([ID]);
    const systemd = await proc({ mountinfo: '', cgroup: `0::/system.slice/docker-${ID}.scope\n` });
    expect(await ownContainerIds(systemd, 'vm')).toEqual([ID]);
    const bare = await proc({});
    expect(await ownContainerIds(bare, OTHER.slice(0, 12))).toEqual([OTHER.slice(0, 12)]);
    // The short id adds nothing when the full one is known.
    expect(await ownContainerIds(await proc({ mountinfo: containerMountinfo }), ID.slice(0, 12))).toEqual([ID]);
  });

  it('on a Docker host: none, although the host mount table lists other containers\' directories', async () => {
    const dir = await proc({
      mountinfo: [
        '22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw',
        `410 22 0:60 / /var/lib/docker/containers/${OTHER}/mounts/shm rw,nosuid,nodev,noexec,relatime shared:210 - tmpfs shm rw,size=65536k`,
        `411 22 0:61 / /run/docker/netns/${OTHER.slice(0, 12)} rw shared:211 - nsfs nsfs rw`,
      ].join('\n'),
      cgroup: '0::/user.slice/user-1000.slice/session-3.scope\n',
    });
    expect(await ownContainerIds(dir, 'my-server')).toEqual([]);
    expect(await ownContainerIds(join(dir, 'no-such-proc'), 'my-server')).toEqual([]);
  });
});
