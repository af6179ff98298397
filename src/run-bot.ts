import { buildServices } from './build-services.js';
import type { Config, SlackConfig } from './config.js';
import type { Logger } from './logger.js';
import { createRedactor } from './redact.js';
import { BackupScheduler } from './scheduler.js';
import { createSlackApp } from './slack/create-slack-app.js';
import { RestoreOffers } from './slack/restore-offers.js';
import { slackBackupStarter } from './slack/slack-backup.js';
import { slackRestoreCanceller, slackRestoreConfirmer, slackRestoreOfferer, type SlackRestoreDeps } from './slack/slack-restore.js';
import type { SlackDeps } from './slack/slack-deps.js';
import { createMessagingClient, SlackNotifier } from './slack/slack-notifier.js';

/** What the Slack listeners call: the backup starter and the restore offer flow, on these services. */
export function slackDeps(parts: SlackRestoreDeps): SlackDeps {
  return {
    services: parts.services,
    startBackup: slackBackupStarter(parts),
    startRestore: slackRestoreOfferer(parts),
    confirmRestore: slackRestoreConfirmer(parts),
    cancelRestore: slackRestoreCanceller(parts),
  };
}

/**
 * Composition root of the long-running bot: builds the services and the Slack
 * app from config, starts the app and the backup scheduler, and stops both
 * cleanly on SIGTERM or SIGINT. Resolves with the exit code.
 */
export async function runBot(config: Config & { slack: SlackConfig }, logger: Logger): Promise<number> {
  const services = buildServices(config);
  const redact = createRedactor(config.secrets);
  const messaging = createMessagingClient({ token: config.slack.botToken, apiUrl: config.slack.apiUrl });
  const alerts = new SlackNotifier(messaging, config.slack.alertChannel, logger);
  const deps = slackDeps({ services, alerts, logger, redact, offers: new RestoreOffers() });
  const slackApp = createSlackApp(config.slack, logger, deps);
  try {
    await slackApp.start();
  } catch (error) {
    logger.error({ err: error, mode: slackApp.mode }, 'bot could not connect to Slack');
    return 1;
  }
  const scheduler = new BackupScheduler(services, alerts, logger, redact);
  scheduler.start();
  logger.info({ mode: slackApp.mode, port: slackApp.mode === 'http' ? config.slack.port : undefined }, 'bot started');
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  logger.info({ signal }, 'bot stopping');
  await scheduler.stop();
  await slackApp.stop();
  return 0;
}
