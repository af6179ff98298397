import { buildServices } from './build-services.js';
import type { Config, SlackConfig } from './config.js';
import type { Logger } from './logger.js';
import { createRedactor } from './redact.js';
import { RunningOperations } from './running-operations.js';
import { BackupScheduler } from '../commands/scheduled-jobs.js';
import { createSlackApp } from './slack/create-slack-app.js';
import { RestoreOffers } from '../commands/restore-offers.js';
import { slackAlertSink } from './slack/slack-alert-sink.js';
import { slackBackupStarter } from './slack/slack-backup.js';
import { slackRestoreCanceller, slackRestoreConfirmer, slackRestoreOfferer, type SlackRestoreDeps } from './slack/slack-restore.js';
import type { SlackDeps } from './slack/slack-deps.js';
import { createMessagingClient, SlackNotifier } from './slack/slack-notifier.js';

/** What the Slack listeners call: the backup starter and the restore offer flow, on these services. */
export function slackDeps(parts: SlackRestoreDeps): SlackDeps {
  return {
    services: parts.services,
    redact: parts.redact,
    startBackup: slackBackupStarter(parts),
    startRestore: slackRestoreOfferer(parts),
    confirmRestore: slackRestoreConfirmer(parts),
    cancelRestore: slackRestoreCanceller(parts),
  };
}

/**
 * How long a running backup or restore may take to finish after SIGTERM before
 * it is cancelled, how long its cleanup may then take, and how much longer a
 * restore already in its switch may take to end it (Odoo's health wait, and a
 * rollback's). All under the compose file's `stop_grace_period: 7m`, after which
 * Docker kills the process; a stop with nothing running is immediate.
 */
export const SHUTDOWN = { graceMs: 30_000, cleanupMs: 15_000, criticalMs: 6 * 60_000 };

/**
 * Composition root of the long-running bot: builds the services and the Slack
 * app from config, starts the app and the backup scheduler. On SIGTERM or
 * SIGINT it stops taking commands (Slack app and scheduler stopped), lets a
 * running backup or restore finish within SHUTDOWN.graceMs or cancels it (a
 * backup then removes its partial files and aborts its upload; a restore is
 * cancelled only before its switch, which always runs to its end; the result is posted),
 * and resolves with the exit code: 0 for a clean stop.
 */
export async function runBot(config: Config & { slack: SlackConfig }, logger: Logger, shutdown = SHUTDOWN): Promise<number> {
  const services = buildServices(config);
  const operations = new RunningOperations();
  const redact = createRedactor(config.secrets);
  const messaging = createMessagingClient({ token: config.slack.botToken, apiUrl: config.slack.apiUrl });
  const alerts = new SlackNotifier(messaging, config.slack.alertChannel, logger);
  const deps = slackDeps({ services, alerts, logger, redact, offers: new RestoreOffers(), operations });
  const slackApp = createSlackApp(config.slack, logger, deps);
  try {
    await slackApp.start();
  } catch (error) {
    logger.error({ err: error, mode: slackApp.mode }, 'bot could not connect to Slack');
    return 1;
  }
  const scheduler = new BackupScheduler(services, slackAlertSink(alerts, redact), logger, redact, { operations });
  scheduler.start();
  logger.info({ mode: slackApp.mode, port: slackApp.mode === 'http' ? config.slack.port : undefined }, 'bot started');
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  logger.info({ signal, running: operations.size }, 'bot stopping');
  await scheduler.stop();
  await slackApp.stop().catch((error) => logger.warn({ err: error }, 'slack app did not stop cleanly'));
  const drained = await operations.drain({ ...shutdown, reason: 'the bot is stopping' });
  logger.info({ ...drained }, 'bot stopped');
  return drained.abandoned === 0 ? 0 : 1;
}
