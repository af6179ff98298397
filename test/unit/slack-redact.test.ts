import { describe, expect, it } from 'vitest';
import { createRedactor, REDACTED } from '../../src/redact.js';
import { redactMessage, renderList } from '../../src/slack/render-replies.js';

describe('Slack replies are redacted always', () => {
  it('removes a secret from a list reply whose store error quotes it, in the text and in the blocks', () => {
    const secret = 'r2-s3cr3t-"key"';
    const reply = renderList({ kind: 'list', backups: [], total: 0, unreachable: [{ location: 'r2', message: `signature mismatch for ${secret}` }], drilled: [], now: new Date() }, 'UTC');
    const safe = redactMessage(reply, createRedactor([secret]));
    const all = JSON.stringify(safe);
    expect(all).not.toContain('s3cr3t');
    expect(safe.text).toContain(REDACTED);
    expect((safe.blocks[0] as { text: { text: string } }).text.text).toContain(`signature mismatch for ${REDACTED}`);
  });

  it('leaves a message without secrets as it was', () => {
    const message = { response_type: 'ephemeral' as const, text: 'Busy: backup started by <@U1> at 2026-01-01T02:00:00Z.' };
    expect(redactMessage(message, createRedactor(['xyz-secret']))).toEqual(message);
  });
});
