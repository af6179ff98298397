import type { TestbedInfo } from '../testbed/testbed-info.js';

/**
 * The environment an operator would write in .env for the test bed's stack and
 * bucket. Tests add or override variables (BACKUP_DIR, SLACK_*) per case.
 */
export function testbedEnv(testbed: TestbedInfo, overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    DOCKER_HOST: testbed.dockerHost,
    COMPOSE_PROJECT: testbed.stack.project,
    ODOO_URL: testbed.stack.odoo.url,
    ODOO_DATA_DIR: testbed.stack.odoo.dataDir,
    POSTGRES_USER: testbed.stack.db.user,
    POSTGRES_PASSWORD: testbed.stack.db.password,
    POSTGRES_DB: testbed.stack.db.database,
    CF_R2_ENDPOINT: testbed.s3.endpoint,
    CF_R2_BUCKET: testbed.s3.bucket,
    CF_R2_ACCESS_KEY_ID: testbed.s3.accessKeyId,
    CF_R2_SECRET_ACCESS_KEY: testbed.s3.secretAccessKey,
    TZ: 'UTC',
    ...overrides,
  };
}

/** The Slack variables for the stand-in: Socket Mode with its app token, or HTTP mode with `signingSecret`. Alert channel C0ALERTS, admin U0ADMIN1. */
export function slackEnv(slack: { botToken: string; appToken: string; apiUrl: string }, mode: 'socket' | { signingSecret: string }): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: slack.botToken,
    ...(mode === 'socket' ? { SLACK_APP_TOKEN: slack.appToken } : { SLACK_SIGNING_SECRET: mode.signingSecret }),
    SLACK_ALERT_CHANNEL: 'C0ALERTS',
    SLACK_ADMINS: 'U0ADMIN1',
    SLACK_API_URL: slack.apiUrl,
  };
}
