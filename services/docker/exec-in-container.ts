import { type Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { DockerStreamDemuxer } from './docker-stream-demuxer.js';

/** How long Docker may take to start the process; the output itself may then stream for hours. */
const START_TIMEOUT_MS = 30_000;

export interface ExecOptions {
  /** Where the command's stdout goes; collected into `stdout` of the result when omitted. */
  stdout?: Writable;
  /** Fed to the command's stdin, which is closed at its end (e.g. a dump for pg_restore). */
  stdin?: Readable;
  env?: string[];
  user?: string;
}

export interface ExecResult {
  exitCode: number;
  /** Collected stdout, only when no `stdout` sink was given. */
  stdout: string;
  /** The tail of stderr, for error messages. */
  stderr: string;
}

/**
 * Runs `cmd` in a running container (`docker exec`, no TTY so binary output is
 * not mangled), streams its stdout to `options.stdout` with backpressure, then
 * waits for the exec's exit code. The stream ending cleanly proves nothing: the
 * caller must check `exitCode` before trusting what was written.
 */
export async function execInContainer(container: Docker.Container, cmd: string[], options: ExecOptions = {}): Promise<ExecResult> {
  // Only the start is bounded: a daemon that never starts the process (seen with
  // a wedged engine) must not hold the operation lock forever.
  let timer: NodeJS.Timeout | undefined;
  const startTimeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Docker did not start ${cmd[0]} within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
  });
  const starting = (async () => {
    const exec = await container.exec({
      Cmd: cmd,
      AttachStdout: true,
      AttachStderr: true,
      AttachStdin: options.stdin !== undefined,
      Tty: false,
      Env: options.env,
      User: options.user,
    });
    // With stdin the connection is hijacked: one duplex socket, written and read at once.
    const start = options.stdin ? { hijack: true, stdin: true, Detach: false, Tty: false } : { Detach: false, Tty: false };
    const stream = (await exec.start(start)) as NodeJS.ReadWriteStream;
    // A proxy that answers 200 instead of passing on Docker's `101 UPGRADED`
    // leaves docker-modem with a half HTTP stream (its HttpDuplex, holding the
    // response, where an upgrade gives the socket itself) that neither takes
    // stdin nor ever ends: say so rather than wait on it forever.
    if (options.stdin && (stream as { _output?: { statusCode?: number } })._output?.statusCode !== undefined) {
      const half = stream as unknown as { req?: { destroy(): void }; destroy(): void };
      half.req?.destroy();
      half.destroy();
      throw new Error(
        `Docker did not upgrade the connection of \`docker exec\` with stdin (${cmd[0]}): a proxy between odoo-ops and Docker (DOCKER_HOST) does not pass on HTTP upgrades; tecnativa/docker-socket-proxy 0.2.0 has this bug (their issue #132, haproxy issue #2684): use a later version`,
      );
    }
    return { exec, stream };
  })();
  let exec, stream;
  try {
    ({ exec, stream } = await Promise.race([starting, startTimeout]));
  } finally {
    clearTimeout(timer);
  }
  const demuxer = new DockerStreamDemuxer();
  const collected: Buffer[] = [];
  const sink =
    options.stdout ??
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        collected.push(chunk);
        done();
      },
    });
  // A command may stop reading its stdin early (it failed): the write side then
  // breaks, and the exit code and stderr, not the socket error, say what happened.
  let broken: unknown = null;
  if (options.stdin) {
    const settled = await Promise.allSettled([pipeline(options.stdin, stream as unknown as Writable), pipeline(stream, demuxer, sink)]);
    broken = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected')?.reason ?? null;
  } else {
    await pipeline(stream, demuxer, sink);
  }

  // The exit code may lag the end of the stream by a moment.
  for (let delay = 10; ; delay = Math.min(delay * 2, 500)) {
    const info = await exec.inspect();
    if (!info.Running && info.ExitCode !== null && info.ExitCode !== undefined) {
      if (info.ExitCode === 0 && broken) throw broken;
      return { exitCode: info.ExitCode, stdout: Buffer.concat(collected).toString('utf8'), stderr: demuxer.stderr };
    }
    await sleep(delay);
  }
}
