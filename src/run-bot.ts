import { buildServices } from './build-services.js';
import type { Config, SlackConfig } from './config.js';
import type { Logger } from './logger.js';
import { createSlackApp } from './slack/create-slack-app.js';
import { renderNotice } from './slack/render-replies.js';
import type { SlackDeps } from './slack/slack-deps.js';

/**
 * Composition root of the long-running bot: builds the services and the Slack
 * app from config, starts it, and stops it cleanly on SIGTERM or SIGINT.
 * Resolves with the exit code.
 */
export async function runBot(config: Config & { slack: SlackConfig }, logger: Logger): Promise<number> {
  const services = buildServices(config);
  const deps: SlackDeps = {
    services,
    // PLACEHOLDER until the backup pipeline (issue 3) is merged: replace with the real starter.
    startBackup: async (request) => {
      await request.reply(renderNotice('Backups are not available in this build yet.'));
      return { started: false };
    },
    // PLACEHOLDER until the restore flow is delivered: replace with the confirmation flow of `/odoo restore <name>`.
    startRestore: async (request) => {
      await request.reply(renderNotice(`Restore is not available in this build yet (asked for ${request.name}).`));
      return { started: false };
    },
  };
  const slackApp = createSlackApp(config.slack, logger, deps);
  try {
    await slackApp.start();
  } catch (error) {
    logger.error({ err: error, mode: slackApp.mode }, 'bot could not connect to Slack');
    return 1;
  }
  logger.info({ mode: slackApp.mode, port: slackApp.mode === 'http' ? config.slack.port : undefined }, 'bot started');
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  logger.info({ signal }, 'bot stopping');
  await slackApp.stop();
  return 0;
}
