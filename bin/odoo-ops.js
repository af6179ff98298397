#!/usr/bin/env -S MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=33554432 node --max-old-space-size=96 --max-semi-space-size=2
// Memory settings for streaming gigabytes through 1-5 MiB Buffers (measured in
// docs/benchmarks.md, bench:backup):
// - the heap limit keeps a backup's memory flat whatever the dataset: V8
//   otherwise lets garbage from streamed gigabytes pile up before collecting it;
// - a 2 MB young generation (V8's default grows to 16 MB per semi-space): Buffer
//   handles die young, so frequent small scavenges free their memory sooner;
//   peak RSS 195 -> 175 MB at 2 GB, and less CPU;
// - glibc malloc serves Buffers under 32 MiB from its heap and keeps up to
//   32 MiB free instead of handing every freed Buffer back to the kernel, which
//   then zero-fills it again for the next one: page faults 136k -> about 35k a backup.
// Thin launcher: the CLI is compiled from src/cli/main.ts by `npm run build` (run by `npm ci` via `prepare`).

// Checked before loading the CLI, whose modules would otherwise fail with an
// obscure missing-export error: the archive writer needs zlib.crc32, which came
// in Node 20.15 and 22.2 (not 21, nor 22.0-22.1).
const { crc32 } = await import('node:zlib');
if (typeof crc32 !== 'function') {
  process.stderr.write(`odoo-ops needs Node.js 20.15 or newer, 22.2 or newer on 22 (24 LTS recommended); this is ${process.version}\n`);
  process.exit(2);
}
const { main } = await import('../dist/src/cli/main.js');
// A command whose work stopped without an answer (a promise that can never
// settle, nothing left to wait on) must not end as a silent success.
const unfinished = () => {
  const message = 'the command stopped before it finished: nothing it was doing is confirmed; see the log lines above';
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify({ error: { stage: 'internal', message } })}\n`);
  process.stderr.write(`odoo-ops: ${message}\n`);
  process.exitCode = 1;
};
process.once('beforeExit', unfinished);
process.exitCode = await main(process.argv.slice(2));
process.off('beforeExit', unfinished);
// The answer is printed (stdout and stderr are synchronous on Linux for files,
// pipes and terminals). What may still hold the event loop is work a deadline
// abandoned: a probe's request to an R2 or Docker that stopped answering waits
// for its own socket timeout and retries. The user must not wait for it: exit
// unless the loop drains first (the timer is unref'd). `bot` arms its own.
if (process.argv[2] !== 'bot') setTimeout(() => process.exit(), 200).unref();
