#!/usr/bin/env -S node --max-old-space-size=96
// The heap limit keeps a backup's memory flat whatever the dataset: V8 otherwise
// lets garbage from streamed gigabytes pile up before collecting it.
// Thin launcher: the CLI is compiled from src/cli.ts by `npm run build` (run by `npm ci` via `prepare`).
import { main } from '../dist/src/cli.js';

process.exitCode = await main(process.argv.slice(2));
