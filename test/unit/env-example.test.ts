import { existsSync, readFileSync } from 'node:fs';
import dotenv from 'dotenv';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');
const example = read('../../.env.example');

/** Every variable of DESIGN.md's configuration table that this version implements (`A / B` rows name several). */
function designVariables(): string[] {
  const design = read('../fixtures/design-configuration.md');
  const table = design.slice(design.indexOf('## Configuration'), design.indexOf('## Commands'));
  // `BACKUP_KEEP_DAILY / _WEEKLY` names BACKUP_KEEP_WEEKLY: a part starting with _ takes the first part's stem.
  const expand = (parts: string[]) => parts.map((v) => (v.startsWith('_') ? parts[0]!.replace(/_[A-Z0-9]+$/, '') + v : v));
  return [...table.matchAll(/^\| ([A-Z0-9_ /]+) \|/gm)].flatMap((m) => expand(m[1]!.split('/').map((v) => v.trim()))).filter((v) => v !== 'variable');
}

describe('.env.example', () => {
  it('names every variable of DESIGN, each under a one-line comment', () => {
    const variables = designVariables();
    expect(variables.length).toBeGreaterThan(25);
    const lines = example.split('\n');
    for (const name of variables) {
      const at = lines.findIndex((l) => l.startsWith(`${name}=`));
      expect(at, `${name} missing`).toBeGreaterThan(0);
      // The comment sits right above, or above the previous variable of a pair (ODOO_SERVICE / DB_SERVICE).
      expect(lines[at - 1]!.startsWith('#') || lines[at - 2]!.startsWith('#'), `${name} has no comment`).toBe(true);
    }
  });

  it('copies its rows from DESIGN.md word for word, when ../shared is beside the clone', () => {
    const design = new URL('../../../shared/DESIGN.md', import.meta.url);
    if (!existsSync(design)) return;
    const rows = read('../fixtures/design-configuration.md').split('\n').filter((l) => /^\| [A-Z]/.test(l));
    const text = readFileSync(design, 'utf8');
    for (const row of rows) expect(text, row).toContain(row);
  });

  it('is a valid configuration for the bot as it stands (placeholders of the right shape, no real secret)', () => {
    const env = dotenv.parse(example);
    expect(() => loadConfig(env, 'bot')).not.toThrow();
    expect(env.SLACK_BOT_TOKEN).toBe('xoxb-replace-me');
    expect(env.POSTGRES_PASSWORD).toMatch(/change-me/);
    expect(env.CF_R2_SECRET_ACCESS_KEY).toBe('');
  });
});
