import { App, HTTPReceiver, SocketModeReceiver, type Receiver } from '@slack/bolt';
import type { SlackConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { boltLogger } from './bolt-logger.js';
import { registerButtonActions } from './listeners/button-actions.js';
import { registerOdooCommand } from './listeners/odoo-command.js';
import type { SlackDeps } from './slack-deps.js';

export interface SlackApp {
  app: App;
  mode: 'socket' | 'http';
  /** Connects (Socket Mode) or listens on `port` (HTTP mode; `/slack/events` and `/healthz`). */
  start(listen?: { port: number; host?: string }): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Builds the Bolt app for the configured mode: Socket Mode when an app token is
 * set, HTTP mode (signed requests, 5-minute replay window) otherwise. Every Web
 * API call goes to `slack.apiUrl`. `/healthz` answers on PORT in both modes.
 */
export function createSlackApp(slack: SlackConfig, logger: Logger, deps: SlackDeps): SlackApp {
  const log = boltLogger(logger);
  const clientOptions = { slackApiUrl: slack.apiUrl };
  const mode: SlackApp['mode'] = slack.appToken ? 'socket' : 'http';
  const healthz = {
    path: '/healthz',
    method: ['GET'],
    handler: (_req: unknown, res: { writeHead(status: number, headers: Record<string, string>): void; end(body: string): void }) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, mode }));
    },
  };
  let receiver: Receiver;
  if (slack.appToken) {
    receiver = new SocketModeReceiver({
      appToken: slack.appToken,
      logger: log,
      customRoutes: [healthz],
      installerOptions: { clientOptions, port: slack.port },
    });
  } else {
    receiver = new HTTPReceiver({
      signingSecret: slack.signingSecret ?? '',
      endpoints: '/slack/events',
      customRoutes: [healthz],
      logger: log,
      unhandledRequestTimeoutMillis: 3000,
    });
  }
  const app = new App({ token: slack.botToken, receiver, logger: log, clientOptions });
  registerOdooCommand(app, slack, deps, logger);
  registerButtonActions(app, slack, deps, logger);
  // Last line of defence: our listeners catch their own errors; anything else is logged, never shown.
  app.error(async (error) => {
    logger.error({ err: error }, 'slack app error');
  });

  return {
    app,
    mode,
    async start(listen) {
      if (mode === 'http') await app.start({ port: listen?.port ?? slack.port, host: listen?.host });
      else await app.start();
    },
    async stop() {
      await app.stop();
    },
  };
}
