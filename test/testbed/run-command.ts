import { spawn, type SpawnOptions } from 'node:child_process';

/** Runs a program to completion; rejects with its output tail when it exits non-zero. */
export function runCommand(program: string, args: string[], options: SpawnOptions & { input?: NodeJS.ReadableStream } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { ...options, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    if (options.input) options.input.pipe(child.stdin!);
    else child.stdin!.end();
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${program} ${args.join(' ')} exited ${code}: ${out.slice(-2000)}`));
    });
  });
}

/** Runs a program to completion with `env`: its exit code and separate stdout and stderr (never rejects on a non-zero exit). */
export function runToEnd(program: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}
