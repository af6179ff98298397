#!/usr/bin/env -S node --max-old-space-size=96
// The heap limit keeps a backup's memory flat whatever the dataset: V8 otherwise
// lets garbage from streamed gigabytes pile up before collecting it.
// Thin launcher: the CLI is compiled from src/cli.ts by `npm run build` (run by `npm ci` via `prepare`).

// Checked before loading the CLI, whose modules would otherwise fail with an
// obscure missing-export error: the archive writer needs zlib.crc32, which came
// in Node 20.15 and 22.2 (not 21, nor 22.0-22.1).
const { crc32 } = await import('node:zlib');
if (typeof crc32 !== 'function') {
  process.stderr.write(`odoo-ops needs Node.js 20.15 or newer, 22.2 or newer on 22 (24 LTS recommended); this is ${process.version}\n`);
  process.exit(2);
}
const { main } = await import('../dist/src/cli.js');
process.exitCode = await main(process.argv.slice(2));
