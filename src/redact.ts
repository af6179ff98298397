/** What replaces a secret wherever it would have been shown. */
export const REDACTED = '[redacted]';

// Slack tokens are recognisable even when we were never told their value
// (a token pasted into a channel ID, a token in a third-party error).
const SLACK_TOKEN = /\b(xox[abposr]|xapp)-[A-Za-z0-9-]+/g;

/**
 * Builds a function that removes every known secret value (raw or as it looks
 * inside a JSON string) and anything shaped like a Slack token from a text.
 * Used for log lines and for every error text shown to a user.
 */
export function createRedactor(secrets: readonly string[]): (text: string) => string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (!secret) continue;
    forms.add(secret);
    forms.add(JSON.stringify(secret).slice(1, -1));
    forms.add(encodeURIComponent(secret));
  }
  // Longest first, so that a secret containing another is removed whole.
  const ordered = [...forms].sort((a, b) => b.length - a.length);
  return (text: string) => {
    let out = text;
    for (const form of ordered) out = out.split(form).join(REDACTED);
    return out.replace(SLACK_TOKEN, REDACTED);
  };
}
