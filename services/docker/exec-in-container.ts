import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { DockerStreamDemuxer } from './docker-stream-demuxer.js';

/** How long Docker may take to start the process; the output itself may then stream for hours. */
const START_TIMEOUT_MS = 30_000;

export interface ExecOptions {
  /** Where the command's stdout goes; collected into `stdout` of the result when omitted. */
  stdout?: Writable;
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
      AttachStdin: false,
      Tty: false,
      Env: options.env,
      User: options.user,
    });
    return { exec, stream: await exec.start({ Detach: false, Tty: false }) };
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
  await pipeline(stream, demuxer, sink);

  // The exit code may lag the end of the stream by a moment.
  for (let delay = 10; ; delay = Math.min(delay * 2, 500)) {
    const info = await exec.inspect();
    if (!info.Running && info.ExitCode !== null && info.ExitCode !== undefined) {
      return { exitCode: info.ExitCode, stdout: Buffer.concat(collected).toString('utf8'), stderr: demuxer.stderr };
    }
    await sleep(delay);
  }
}
