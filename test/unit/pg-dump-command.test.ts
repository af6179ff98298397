import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pgDumpCommand } from '../../services/backup/dump-database.js';

// A stand-in pg_dump that reports its arguments, whether its stdout is
// buffered by stdbuf (which tells its preloaded library the size in _STDBUF_O) and exits 3.
function fakePgDumpDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'odoo-ops-pgdump-'));
  const script = join(dir, 'pg_dump');
  writeFileSync(script, '#!/bin/sh\nprintf "%s|" "$@"\necho "stdbuf=${_STDBUF_O:-none}"\nexit 3\n');
  chmodSync(script, 0o755);
  return dir;
}

function run(path: string) {
  const [shell, ...args] = pgDumpCommand("odoo user; rm -rf /", 'db "name"');
  // The command runs in the DB container through `sh` on its PATH; here through /bin/sh.
  return spawnSync(shell === 'sh' ? '/bin/sh' : shell!, args, { env: { PATH: path }, encoding: 'utf8' });
}

describe('pgDumpCommand (run in the DB container)', () => {
  it('runs pg_dump under stdbuf -o 1M when the container has stdbuf, arguments untouched, its exit code kept', () => {
    const dir = fakePgDumpDir();
    const result = run(`${dir}:/usr/bin:/bin`);
    expect(result.stdout).toBe('-Fc|-Z|1|-U|odoo user; rm -rf /|-d|db "name"|stdbuf=1048576\n');
    expect(result.status).toBe(3);
  });

  it('runs pg_dump as it is when the container has no stdbuf (Alpine images)', () => {
    const dir = fakePgDumpDir();
    const result = run(dir);
    expect(result.stdout).toBe('-Fc|-Z|1|-U|odoo user; rm -rf /|-d|db "name"|stdbuf=none\n');
    expect(result.status).toBe(3);
  });
});
