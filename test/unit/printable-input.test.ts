import { describe, expect, it } from 'vitest';
import { printableInput } from '../../services/printable-input.js';

describe('printableInput: user input made safe to echo', () => {
  it('keeps ordinary text, accents and emoji as they are', () => {
    expect(printableInput('odoo_backup_2026-01-31_02-00-00')).toBe('odoo_backup_2026-01-31_02-00-00');
    expect(printableInput('données 🗄️ C:\\backup')).toBe('données 🗄️ C:\\backup');
  });

  it('shows newlines, escape sequences, C1 controls and bidi overrides as visible escapes', () => {
    expect(printableInput('a\nb\r\tc')).toBe('a\\nb\\r\\tc');
    expect(printableInput('x\n\x1b[31mred\x1b[0m')).toBe('x\\n\\x1b[31mred\\x1b[0m');
    expect(printableInput('\x00\x7f\x9b')).toBe('\\x00\\x7f\\x9b');
    expect(printableInput('evil\u202egpj.exe\u2066\u2028')).toBe('evil\\u202egpj.exe\\u2066\\u2028');
  });

  it('cuts a long input to 80 characters ending with an ellipsis', () => {
    const shown = printableInput('a'.repeat(10_000));
    expect(shown).toBe(`${'a'.repeat(79)}…`);
    expect([...shown]).toHaveLength(80);
    expect(printableInput('b'.repeat(80))).toBe('b'.repeat(80));
  });

  it('counts the escapes in the cut and never splits one or an emoji', () => {
    const shown = printableInput('\x1b'.repeat(1000));
    expect(shown).toBe(`${'\\x1b'.repeat(19)}…`);
    expect(shown.length).toBeLessThanOrEqual(80);
    expect(printableInput('😀'.repeat(100), 5)).toBe('😀😀…');
  });
});
