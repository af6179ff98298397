import type { Config, SlackConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { runBot } from '../run-bot.js';
import { type CliCommand } from './cli-command.js';
import { configure } from './configure.js';

export const bot: CliCommand = {
  name: 'bot',
  options: {},
  positionals: 0,
  async run(io) {
    const config = configure(io, 'bot');
    if (typeof config === 'number') return config;
    const logger = createLogger({ secrets: config.secrets });
    // loadConfig(…, 'bot') refuses a configuration without the Slack settings.
    const code = await runBot(config as Config & { slack: SlackConfig }, logger);
    // Stopped cleanly; a Slack retry timer still pending must not keep the process (and `docker stop`) waiting.
    setTimeout(() => process.exit(code), 3000).unref();
    return code;
  },
};
