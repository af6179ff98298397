import { WebClient } from '@slack/web-api';
import type { CheckResult } from '../../services/health/preflight.js';
import type { SlackConfig } from '../config.js';
import { SILENT_SLACK_LOGGER } from './slack-notifier.js';

const REINSTALL = 'reinstall the app from config/slack-app-manifest.json (OAuth & Permissions → Reinstall) so that the token has every scope it declares';

/** The Slack error code of a failed Web API call (`invalid_auth`, `channel_not_found`…), or its message. */
function slackError(error: unknown): string {
  const e = error as { data?: { error?: string }; message?: string };
  return e.data?.error ?? e.message ?? String(error);
}

/**
 * The Slack part of `odoo-ops doctor`, through SLACK_API_URL, read-only: the bot
 * token (`auth.test`), the alert channel (`conversations.info`: found, and the
 * bot a member so that it can post there), and in Socket Mode the app token
 * (`apps.connections.open`, whose URL is not used). A null config is a skip.
 */
export async function slackPreflight(slack: SlackConfig | null, timeoutMs = 10_000): Promise<CheckResult[]> {
  if (!slack) {
    return [
      {
        name: 'Slack',
        state: 'skip',
        detail: 'not configured: the CLI works, the bot will not start',
        fix: 'set SLACK_BOT_TOKEN, SLACK_ALERT_CHANNEL, SLACK_ADMINS and SLACK_APP_TOKEN (or SLACK_SIGNING_SECRET) to run the bot',
      },
    ];
  }
  const options = { slackApiUrl: slack.apiUrl, timeout: timeoutMs, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true };
  const client = new WebClient(slack.botToken, { ...options, logger: SILENT_SLACK_LOGGER });
  const checks: CheckResult[] = [];
  try {
    const auth = await client.auth.test();
    checks.push({ name: 'Slack token', state: 'pass', detail: `bot token valid: ${auth.user ?? 'bot'} in workspace ${auth.team ?? auth.team_id ?? '?'}` });
  } catch (error) {
    checks.push({ name: 'Slack token', state: 'fail', detail: `auth.test failed: ${slackError(error)}`, fix: 'copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions into SLACK_BOT_TOKEN; check SLACK_API_URL' });
    return checks;
  }
  try {
    const info = await client.conversations.info({ channel: slack.alertChannel });
    const name = info.channel?.name ? `#${info.channel.name}` : slack.alertChannel;
    if (info.channel?.is_archived) {
      checks.push({ name: 'Slack channel', state: 'fail', detail: `${name} is archived`, fix: 'unarchive it or set SLACK_ALERT_CHANNEL to another channel' });
    } else if (info.channel?.is_member === false) {
      checks.push({ name: 'Slack channel', state: 'fail', detail: `the bot is not a member of ${name}: it cannot post alerts there`, fix: `type /invite @odoo-ops in ${name}` });
    } else {
      checks.push({ name: 'Slack channel', state: 'pass', detail: `alert channel ${name} (${slack.alertChannel}) found, the bot is a member` });
    }
  } catch (error) {
    const code = slackError(error);
    const fix =
      code === 'missing_scope'
        ? REINSTALL
        : code === 'channel_not_found'
          ? 'set SLACK_ALERT_CHANNEL to the channel ID (channel details → About, C…) and invite the bot there; a private channel must invite it first'
          : 'check SLACK_ALERT_CHANNEL';
    checks.push({ name: 'Slack channel', state: 'fail', detail: `conversations.info ${slack.alertChannel} failed: ${code}`, fix });
  }
  if (slack.appToken) {
    try {
      await new WebClient(undefined, { ...options, logger: SILENT_SLACK_LOGGER }).apps.connections.open({ token: slack.appToken });
      checks.push({ name: 'Slack app token', state: 'pass', detail: 'app-level token valid for Socket Mode' });
    } catch (error) {
      checks.push({ name: 'Slack app token', state: 'fail', detail: `apps.connections.open failed: ${slackError(error)}`, fix: 'generate an app-level token with connections:write (Basic Information → App-Level Tokens) into SLACK_APP_TOKEN, and enable Socket Mode' });
    }
  }
  return checks;
}
