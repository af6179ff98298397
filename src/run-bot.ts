import type { Config, SlackConfig } from './config.js';
import type { Logger } from './logger.js';
import { createSlackApp } from './slack/create-slack-app.js';

/**
 * Composition root of the long-running bot: builds the Slack app from config,
 * starts it, and stops it cleanly on SIGTERM or SIGINT. Resolves with the exit code.
 */
export async function runBot(config: Config & { slack: SlackConfig }, logger: Logger): Promise<number> {
  const slackApp = createSlackApp(config.slack, logger);
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
