/** How many characters of a user's input a message echoes at most. */
export const MAX_ECHOED_CHARS = 80;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * C0 and C1 controls, DEL, the line and paragraph separators, the zero-width
 * no-break space and the bidi marks, embeddings, overrides and isolates: the
 * characters that move the cursor, recolour a terminal, break a line or
 * reorder what a reader sees.
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/;

function escapeChar(ch: string): string {
  if (!UNPRINTABLE.test(ch)) return ch;
  const named = NAMED[ch];
  if (named) return named;
  const code = ch.codePointAt(0)!;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * A user's input made safe to echo in a message (terminal or chat): every
 * control or bidi character becomes a visible escape (`\n`, `\x1b`, `\u202e`),
 * and the result is cut to `maxChars` characters, ending with `…` when cut.
 * The cut counts the escapes' own characters and never splits an escape or a
 * surrogate pair, so the output is at most `maxChars` long whatever the input.
 * Pure; a backslash in the input is kept as it is.
 */
export function printableInput(input: string, maxChars = MAX_ECHOED_CHARS): string {
  const pieces: string[] = [];
  let length = 0;
  for (const ch of input) {
    const piece = escapeChar(ch);
    pieces.push(piece);
    length += piece.length;
    // Known to be too long: the rest of a 10 kB input is never read.
    if (length > maxChars) break;
  }
  if (length <= maxChars) return pieces.join('');
  let out = '';
  for (const piece of pieces) {
    if (out.length + piece.length > maxChars - 1) break;
    out += piece;
  }
  return `${out}…`;
}
