import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestbedInfo } from '../testbed/testbed-info.js';
import { slackEnv, testbedEnv } from './testbed-env.js';
import { waitFor } from './wait-for.js';

const BIN = fileURLToPath(new URL('../../bin/odoo-ops.js', import.meta.url));

export interface BotProcess {
  child: ChildProcess;
  /** The bot's `/slack/events` URL (HTTP mode). */
  url: string;
  /** Everything the bot logged so far. */
  stderr(): string;
}

/**
 * Starts `odoo-ops bot` (what `npm start` runs) as its own process with exactly
 * `env` (plus PATH), in `cwd`, and resolves once `/healthz` on env.PORT answers;
 * rejects (the bot killed) when it exits first or does not answer within 30 s.
 */
export async function startBotProcess(env: Record<string, string | undefined>, cwd?: string): Promise<BotProcess> {
  const child = spawn(process.execPath, [BIN, 'bot'], { cwd, env: { PATH: process.env.PATH ?? '', ...env } as NodeJS.ProcessEnv, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const base = `http://127.0.0.1:${env.PORT}`;
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`the bot exited (code ${code}) before /healthz answered: ${stderr}`))));
  exited.catch(() => {});
  try {
    await Promise.race([waitFor(`the bot's /healthz on port ${env.PORT}`, () => fetch(`${base}/healthz`).then((r) => r.ok)), exited]);
  } catch (error) {
    child.kill('SIGKILL'); // no test gets a handle on it: it must not outlive the failure
    throw error;
  }
  return { child, url: `${base}/slack/events`, stderr: () => stderr };
}

/** The environment of a bot in HTTP mode on the test bed and the Slack stand-in, with its own BACKUP_DIR, R2 prefix and port; the repository's addons. */
export function httpBotEnv(
  testbed: TestbedInfo,
  slack: Parameters<typeof slackEnv>[0],
  options: { signingSecret: string; backupDir: string; prefix: string; port: number },
): Record<string, string | undefined> {
  return {
    ...testbedEnv(testbed),
    ...slackEnv(slack, { signingSecret: options.signingSecret }),
    BACKUP_DIR: options.backupDir,
    ADDONS_DIR: fileURLToPath(new URL('../../addons', import.meta.url)),
    CF_R2_PREFIX: options.prefix,
    PORT: String(options.port),
  };
}
