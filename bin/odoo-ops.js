#!/usr/bin/env -S node --max-old-space-size=96
// The heap limit keeps a backup's memory flat whatever the dataset: V8 otherwise
// lets garbage from streamed gigabytes pile up before collecting it.
// Thin launcher: the CLI is compiled from src/cli.ts by `npm run build` (run by `npm ci` via `prepare`).

// Checked before loading the CLI, whose modules would otherwise fail with an
// obscure missing-export error (the archive writer uses zlib.crc32, Node ≥ 20.15).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 15)) {
  process.stderr.write(`odoo-ops needs Node.js 20.15 or newer (22 or 24 LTS recommended); this is ${process.version}\n`);
  process.exit(2);
}
const { main } = await import('../dist/src/cli.js');
process.exitCode = await main(process.argv.slice(2));
