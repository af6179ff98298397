import { OperationError } from '../operation-error.js';
import { execInContainer } from '../docker/exec-in-container.js';
import type { StackContainers } from '../docker/stack-containers.js';
import { HashingCounter, type WrittenFile } from './hashing-writer.js';
import { PassThrough, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface DatabaseTarget {
  stack: StackContainers;
  dbService: string;
  user: string;
  database: string;
  /** Passed as PGPASSWORD for servers that ask for one on the local socket. */
  password?: string;
}

/** PGPASSWORD for the tools run in the DB container, when a password is set. */
export function passwordEnv(target: DatabaseTarget): string[] | undefined {
  return target.password ? [`PGPASSWORD=${target.password}`] : undefined;
}

// pg_dump writes its output in 4 KiB pieces, and each one wakes containerd-shim
// and dockerd to carry it through the exec stream. Buffering its stdout in
// 1 MiB (coreutils' stdbuf, in the Debian-based postgres images) cut the
// machine's CPU for a dump through `docker exec` by a fifth (21 -> 17 CPU-s for
// a 280 MB dump) with the same bytes. Images without stdbuf (Alpine) run
// pg_dump as it is.
const PG_DUMP_WITH_BUFFERED_STDOUT = 'if command -v stdbuf >/dev/null 2>&1; then exec stdbuf -o 1M pg_dump "$@"; else exec pg_dump "$@"; fi';

/**
 * The command run in the DB container: `pg_dump -Fc -Z1` of `database` as
 * `user` to stdout, under `stdbuf -o 1M` when the container has it. The
 * arguments reach pg_dump as they are (never through the shell's parser), and
 * its exit code is the command's. With `snapshot` (an id from
 * pg_export_snapshot() whose session is still open) pg_dump dumps that snapshot.
 */
export function pgDumpCommand(user: string, database: string, snapshot?: string): string[] {
  return ['sh', '-c', PG_DUMP_WITH_BUFFERED_STDOUT, 'pg_dump', '-Fc', '-Z', '1', ...(snapshot ? [`--snapshot=${snapshot}`] : []), '-U', user, '-d', database];
}

/**
 * `pg_dump -Fc` of the database, run in the DB container (its pg_dump matches
 * the server; the Odoo image's newer one writes dumps PostgreSQL 15 rejects),
 * streamed to `sink` and hashed on the way; in `snapshot` when given. Succeeds only when
 * pg_dump exited 0; otherwise throws OperationError('dump') with pg_dump's
 * stderr, and the caller removes what was written.
 */
export async function dumpDatabase(target: DatabaseTarget, sink: Writable, onBytes?: (bytes: number) => void, snapshot?: string): Promise<WrittenFile> {
  const container = await target.stack.runningContainer(target.dbService);
  const counter = new HashingCounter(onBytes);
  const through = new PassThrough();
  // Both settle before we look: a full disk stops the exec stream, and the
  // write error is the one worth reporting.
  const [execution, writing] = await Promise.allSettled([
    execInContainer(container, pgDumpCommand(target.user, target.database, snapshot), { stdout: through, env: passwordEnv(target) }),
    pipeline(through, counter, sink),
  ]);
  if (writing.status === 'rejected') throw writing.reason;
  if (execution.status === 'rejected') {
    const error = execution.reason as Error;
    throw new OperationError('dump', `could not run pg_dump in the ${target.dbService} container: ${error.message}`, { cause: error });
  }
  const result = execution.value;
  if (result.exitCode !== 0) {
    const detail = result.stderr.trim().split('\n').slice(-3).join(' ') || 'no error output';
    throw new OperationError('dump', `pg_dump exited with code ${result.exitCode}: ${detail}`);
  }
  return { sizeBytes: counter.bytes, sha256: counter.digest() };
}

/** The server's version (`SHOW server_version`), e.g. "15.14 (Debian 15.14-0+deb12u1)". */
export async function postgresVersion(target: DatabaseTarget): Promise<string> {
  const container = await target.stack.runningContainer(target.dbService);
  const result = await execInContainer(container, ['psql', '-U', target.user, '-d', target.database, '-AtX', '-c', 'SHOW server_version'], {
    env: passwordEnv(target),
  });
  if (result.exitCode !== 0) throw new OperationError('dump', `cannot query the PostgreSQL version: ${result.stderr.trim()}`);
  return result.stdout.trim();
}
