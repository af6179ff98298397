/** What replaces a secret wherever it would have been shown. */
export const REDACTED = '[redacted]';

// Slack tokens are recognisable even when we were never told their value
// (a token pasted into a channel ID, a token in a third-party error).
const SLACK_TOKEN = /\b(xox[abposr]|xapp)-[A-Za-z0-9-]+/g;
// A Discord bot token: base64 of the bot's user id (a digit string, so it starts with M, N or O),
// a 6-character timestamp and an HMAC, dot-separated.
const DISCORD_TOKEN = /\b[MNO][A-Za-z0-9_-]{22,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,}/g;
// Interaction tokens act for the bot for 15 minutes; they travel in webhook and callback URLs.
const INTERACTION_TOKEN_IN_URL = /(\/(?:webhooks|interactions)\/\d+\/)[A-Za-z0-9_.:-]{20,}/g;

/**
 * Builds a function that removes every known secret value (raw or as it looks
 * inside a JSON string) and anything shaped like a Slack or Discord token (or an interaction
 * token in a URL) from a text.
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
    return out.replace(SLACK_TOKEN, REDACTED).replace(DISCORD_TOKEN, REDACTED).replace(INTERACTION_TOKEN_IN_URL, `$1${REDACTED}`);
  };
}
