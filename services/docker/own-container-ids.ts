import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** Files the runtime bind-mounts from `<data-root>/containers/<id>/` into every container. */
const RUNTIME_FILES = new Set(['/etc/hostname', '/etc/hosts', '/etc/resolv.conf']);
const FULL_ID = /containers\/([0-9a-f]{64})\//;
// cgroup v1 (`/docker/<id>`) and the systemd driver (`docker-<id>.scope`); cgroup v2 with its own namespace shows only `/`.
const CGROUP_ID = /(?:\/docker\/|docker-)([0-9a-f]{64})(?:\.scope)?(?:\/|$)/;
const SHORT_ID = /^[0-9a-f]{12}$/;

/**
 * The ids the container this process runs in may have, most reliable first,
 * without duplicates; empty outside a container. Candidates only: the caller
 * checks them against the Docker engine. Reads, in `procDir` (default
 * `/proc/self`): `mountinfo`, whose /etc/hostname, /etc/hosts and
 * /etc/resolv.conf come from `…/containers/<id>/` (also on the host network
 * and with cgroup v2); `cgroup` (cgroup v1); then the host name, which Docker
 * sets to the short id unless the container has its own or the host's network
 * name. Only the runtime's mounts onto those three paths count: the host's
 * own mount table lists other containers' directories too. No side effect;
 * unreadable files count as empty.
 */
export async function ownContainerIds(procDir = '/proc/self', hostName: string = hostname()): Promise<string[]> {
  const read = (file: string) => readFile(join(procDir, file), 'utf8').catch(() => '');
  const [mountinfo, cgroup] = await Promise.all([read('mountinfo'), read('cgroup')]);
  const ids: string[] = [];
  for (const line of mountinfo.split('\n')) {
    // Fields: id, parent, major:minor, root (path inside the source file system), mount point, …
    const [, , , root, mountPoint] = line.split(' ');
    const id = root !== undefined && RUNTIME_FILES.has(mountPoint ?? '') ? FULL_ID.exec(root)?.[1] : undefined;
    if (id) ids.push(id);
  }
  for (const line of cgroup.split('\n')) {
    const id = CGROUP_ID.exec(line)?.[1];
    if (id) ids.push(id);
  }
  if (SHORT_ID.test(hostName) && !ids.some((id) => id.startsWith(hostName))) ids.push(hostName);
  return [...new Set(ids)];
}
