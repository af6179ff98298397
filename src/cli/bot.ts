import type { Config, SlackConfig } from '../config.js';
import { createLogger } from '../logger.js';
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
    // Loaded here, not at the top: Bolt costs every other command a third of a second to start.
    const { runBot } = await import('../run-bot.js');
    const code = await runBot(config as Config & { slack: SlackConfig }, logger);
    // Stopped cleanly; a Slack retry timer still pending must not keep the process (and `docker stop`) waiting.
    setTimeout(() => process.exit(code), 3000).unref();
    return code;
  },
};
