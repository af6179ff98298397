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
