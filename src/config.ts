import type { GfsPolicy } from '../services/backup/gfs-retention.js';
import { readFileSync } from 'node:fs';
import cron from 'node-cron';
import { z } from 'zod';

/** Variables whose values are secrets: never echoed, readable from `<NAME>_FILE`. */
export const SECRET_VARIABLES = [
  'SLACK_BOT_TOKEN',
  'SLACK_APP_TOKEN',
  'SLACK_SIGNING_SECRET',
  'POSTGRES_PASSWORD',
  'CF_R2_ACCESS_KEY_ID',
  'CF_R2_SECRET_ACCESS_KEY',
  'DISCORD_BOT_TOKEN',
] as const;

/** Variables that configure Slack; any of them set means Slack is meant to run. */
const SLACK_VARIABLES = ['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_ALERT_CHANNEL', 'SLACK_ADMINS'] as const;
/** Variables that configure Discord (DISCORD_API_URL alone, having a default, does not turn it on). */
const DISCORD_VARIABLES = [
  'DISCORD_BOT_TOKEN',
  'DISCORD_APPLICATION_ID',
  'DISCORD_GUILD_ID',
  'DISCORD_ALERT_CHANNEL',
  'DISCORD_ADMINS',
  'DISCORD_ADMIN_ROLE',
  'DISCORD_PUBLIC_KEY',
] as const;

const R2_REQUIRED = ['CF_R2_ENDPOINT', 'CF_R2_BUCKET', 'CF_R2_ACCESS_KEY_ID', 'CF_R2_SECRET_ACCESS_KEY'] as const;

/** What the process is about to do: the bot needs Slack settings, the CLI does not. */
export type ConfigPurpose = 'bot' | 'cli';

export interface SlackConfig {
  botToken: string;
  /** Socket Mode when set; otherwise HTTP mode with signingSecret. */
  appToken?: string;
  signingSecret?: string;
  port: number;
  apiUrl: string;
  alertChannel: string;
  admins: string[];
}

export interface DiscordConfig {
  botToken: string;
  applicationId: string;
  /** The server where `/odoo` is registered at start (guild commands appear at once). */
  guildId: string;
  alertChannel: string;
  /** User ids allowed to back up and restore; with adminRole, either grants it. */
  admins: string[];
  adminRole?: string;
  /** Hex Ed25519 key: the HTTP interactions endpoint is served only when set. */
  publicKey?: string;
  /** REST base without the version (discord.js appends /v10). */
  apiUrl: string;
}

export interface R2Config {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  prefix: string;
}

export interface Config {
  /** Null when the Slack settings are incomplete (allowed for the CLI, not for the bot). */
  slack: SlackConfig | null;
  /** SLACK_API_URL and PORT, known even when the rest of Slack is not configured. */
  slackApiUrl: string;
  /** Null when no DISCORD_* variable is set: Discord off. */
  discord: DiscordConfig | null;
  /** PORT: Slack's HTTP mode and Discord's interactions endpoint listen there. */
  port: number;
  docker: { host: string; composeProject?: string; odooService: string; dbService: string };
  /** stopTimeoutSeconds: how long Odoo may take to stop in a restore's switch before Docker kills it. */
  odoo: { url: string; dataDir: string; stopTimeoutSeconds: number };
  postgres: { user: string; password?: string; db: string };
  addonsDir: string;
  /** keep: BACKUP_KEEP_* (GFS; only the variables set); drillSchedule: DRILL_SCHEDULE. */
  backup: { dir: string; schedule: string; retentionDays: number; keep: GfsPolicy; drillSchedule: string };
  timeZone: string;
  /** Null: local-only backups. */
  r2: R2Config | null;
  /** The attachment store (R2 only): seconds between syncs, and whether archives carry the filestore or its index. */
  attachmentStore: { syncIntervalSeconds: number; backupFilestore: 'archive' | 'store' };
  /** Every secret value in force, so that logs and error texts can scrub them. */
  secrets: string[];
}

/** The configuration was invalid; `problems` has one line per variable, secrets never shown. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.join('\n')}`);
    this.name = 'ConfigError';
  }
}

const HTTP_URL = /^https?:\/\/[^\s/]+/i;

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function isDockerHost(value: string): boolean {
  return value.startsWith('/') || /^(unix|tcp|ssh|http|https):\/\/\S+$/.test(value);
}

function isSnowflake(value: string): boolean {
  return /^\d{17,20}$/.test(value);
}

const text = () => z.string();
const matching = (test: (v: string) => boolean, expected: string) => z.string().refine(test, { error: `expected ${expected}` });
const integer = (min: number, max: number, expected: string) =>
  matching((v) => /^\d+$/.test(v) && Number(v) >= min && Number(v) <= max, expected).transform(Number);

// One schema for every variable of the DESIGN table. Values arrive as strings
// (empty strings already removed); defaults are those of DESIGN.md.
const envSchema = z.object({
  SLACK_BOT_TOKEN: matching((v) => v.startsWith('xoxb-'), 'a bot token starting with xoxb-').optional(),
  SLACK_APP_TOKEN: matching((v) => v.startsWith('xapp-'), 'an app-level token starting with xapp-').optional(),
  SLACK_SIGNING_SECRET: matching((v) => /^[0-9a-f]{16,}$/i.test(v), 'the signing secret from the Slack app page (hex digits)').optional(),
  PORT: integer(1, 65535, 'a TCP port number between 1 and 65535').default(3000),
  SLACK_API_URL: matching((v) => HTTP_URL.test(v), 'an http(s) URL such as https://slack.com/api/').default('https://slack.com/api/'),
  SLACK_ALERT_CHANNEL: matching((v) => /^[CGD][A-Z0-9]{2,}$/.test(v), 'a channel ID such as C0123456789 (not a #name)').optional(),
  SLACK_ADMINS: matching(
    (v) => v.split(',').every((id) => /^[UW][A-Z0-9]{2,}$/.test(id.trim())),
    'comma-separated Slack user IDs such as U0123456789,U0987654321',
  ).optional(),
  // Discord ids are snowflakes: 17 to 20 decimal digits (Developer Mode → Copy ID).
  DISCORD_BOT_TOKEN: matching(
    (v) => /^[A-Za-z0-9_-]{17,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}$/.test(v),
    'the bot token from the Developer Portal\'s Bot page (three dot-separated parts)',
  ).optional(),
  DISCORD_APPLICATION_ID: matching(isSnowflake, 'the Application ID from the Developer Portal (17 to 20 digits)').optional(),
  DISCORD_GUILD_ID: matching(isSnowflake, 'a server (guild) id of 17 to 20 digits (right-click the server → Copy Server ID)').optional(),
  DISCORD_ALERT_CHANNEL: matching(isSnowflake, 'a channel id of 17 to 20 digits (not a #name)').optional(),
  DISCORD_ADMINS: matching((v) => v.split(',').every((id) => isSnowflake(id.trim())), 'comma-separated Discord user ids of 17 to 20 digits').optional(),
  DISCORD_ADMIN_ROLE: matching(isSnowflake, 'a role id of 17 to 20 digits (Server Settings → Roles → Copy Role ID)').optional(),
  DISCORD_PUBLIC_KEY: matching((v) => /^[0-9a-f]{64}$/i.test(v), 'the Public Key from the Developer Portal (64 hex digits)').optional(),
  DISCORD_API_URL: matching((v) => HTTP_URL.test(v), 'an http(s) URL such as https://discord.com/api').default('https://discord.com/api'),
  DOCKER_HOST: matching(isDockerHost, 'a socket path or a unix://, tcp:// or ssh:// address').default('/var/run/docker.sock'),
  COMPOSE_PROJECT: text().optional(),
  ODOO_SERVICE: text().default('odoo'),
  DB_SERVICE: text().default('db'),
  ODOO_URL: matching((v) => HTTP_URL.test(v), 'an http(s) URL such as http://odoo:8069').default('http://odoo:8069'),
  POSTGRES_USER: text().default('odoo'),
  POSTGRES_PASSWORD: text().optional(),
  // The database name ends up in paths (filestore/<db>) and in SQL identifiers.
  POSTGRES_DB: matching((v) => /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}$/.test(v), 'a database name of letters, digits, _ . or -').default('odoo'),
  ODOO_DATA_DIR: text().default('/var/lib/odoo'),
  // Bounds the switch's downtime when a request is in flight: Odoo waits for it, Docker kills Odoo after this.
  ODOO_STOP_TIMEOUT: integer(1, 600, 'a whole number of seconds from 1 to 600').default(5),
  ADDONS_DIR: text().default('./addons'),
  BACKUP_DIR: text().default('./backup'),
  BACKUP_SCHEDULE: matching((v) => cron.validate(v), 'a cron expression such as "0 2 */5 * *"').default('0 2 */5 * *'),
  BACKUP_RETENTION_DAYS: integer(1, 36500, 'a whole number of days, 1 or more').default(30),
  BACKUP_KEEP_DAILY: integer(0, 100000, 'a whole number of days to keep, 0 or more').optional(),
  BACKUP_KEEP_WEEKLY: integer(0, 100000, 'a whole number of weeks to keep, 0 or more').optional(),
  BACKUP_KEEP_MONTHLY: integer(0, 100000, 'a whole number of months to keep, 0 or more').optional(),
  BACKUP_KEEP_YEARLY: integer(0, 100000, 'a whole number of years to keep, 0 or more').optional(),
  DRILL_SCHEDULE: matching((v) => cron.validate(v), 'a cron expression such as "0 5 * * 0"').default('0 5 * * 0'),
  TZ: matching(isTimeZone, 'an IANA time zone such as UTC or Europe/Brussels').default('UTC'),
  CF_R2_ENDPOINT: matching((v) => HTTP_URL.test(v), 'an https URL such as https://<account>.r2.cloudflarestorage.com').optional(),
  CF_R2_BUCKET: text().optional(),
  CF_R2_ACCESS_KEY_ID: text().optional(),
  CF_R2_SECRET_ACCESS_KEY: text().optional(),
  CF_R2_PREFIX: text().default(''),
  ATTACHMENT_SYNC_INTERVAL: integer(5, 86400, 'a whole number of seconds from 5 to 86400').default(60),
  BACKUP_FILESTORE: matching((v) => v === 'archive' || v === 'store', '"archive" or "store"').default('archive'),
});

type Env = Record<string, string | undefined>;

/**
 * Reads `<NAME>_FILE` for each secret (Docker secrets), trimming the trailing
 * newline. Returns the merged variables and the problems found, never a value.
 */
function resolveSecretFiles(env: Env): { values: Env; problems: string[] } {
  const values: Env = {};
  const problems: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value !== '') values[name] = value;
  }
  for (const name of SECRET_VARIABLES) {
    const file = values[`${name}_FILE`];
    if (file === undefined) continue;
    if (values[name] !== undefined) {
      problems.push(`${name}: set either ${name} or ${name}_FILE, not both`);
      continue;
    }
    try {
      const content = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
      if (content === '') problems.push(`${name}_FILE: expected a file holding the secret, but ${file} is empty`);
      else values[name] = content;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      problems.push(`${name}_FILE: expected a readable file holding the secret, cannot read ${file} (${code})`);
    }
  }
  return { values, problems };
}

function describeProblem(name: string, message: string, values: Env): string {
  const given = values[name];
  const secret = (SECRET_VARIABLES as readonly string[]).includes(name);
  if (given === undefined || secret) return `${name}: ${message}`;
  const shown = given.length > 60 ? `${given.slice(0, 57)}...` : given;
  return `${name}: ${message}, got "${shown}"`;
}

/**
 * Validates the environment against the DESIGN table and returns the typed
 * configuration. Pure: reads only `env` and the files named by `*_FILE`.
 * Throws ConfigError listing every problem at once, one line per variable,
 * without ever including a secret value.
 */
export function loadConfig(env: Env, purpose: ConfigPurpose): Config {
  const { values, problems } = resolveSecretFiles(env);
  const parsed = envSchema.safeParse(values);
  const failed = new Set(problems.map((line) => line.split(':')[0]!.replace(/_FILE$/, '')));
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0]);
      if (failed.has(name)) continue;
      failed.add(name);
      problems.push(describeProblem(name, issue.message, values));
    }
  }

  const requireFor = (name: string, why: string) => {
    if (values[name] === undefined && !failed.has(name)) {
      problems.push(`${name}: required ${why}`);
      failed.add(name);
    }
  };
  const discordMeant = DISCORD_VARIABLES.some((name) => values[name] !== undefined);
  const slackMeant = SLACK_VARIABLES.some((name) => values[name] !== undefined);
  if (discordMeant) {
    const why = 'once any DISCORD_* variable is set (Discord runs with all of them; unset them all to turn it off)';
    requireFor('DISCORD_BOT_TOKEN', why);
    requireFor('DISCORD_APPLICATION_ID', why);
    requireFor('DISCORD_GUILD_ID', why);
    requireFor('DISCORD_ALERT_CHANNEL', why);
    if (values.DISCORD_ADMINS === undefined && values.DISCORD_ADMIN_ROLE === undefined && !failed.has('DISCORD_ADMINS') && !failed.has('DISCORD_ADMIN_ROLE')) {
      problems.push('DISCORD_ADMINS: required when Discord is configured, unless DISCORD_ADMIN_ROLE is set (the user ids or the role allowed to back up and restore)');
      failed.add('DISCORD_ADMINS');
    }
  }
  // The bot needs one surface; Slack's settings are required unless Discord alone is configured.
  if (purpose === 'bot' && (slackMeant || !discordMeant)) {
    const suffix = discordMeant ? '' : ', or configure Discord instead (DISCORD_BOT_TOKEN…)';
    requireFor('SLACK_BOT_TOKEN', `to run the bot (the xoxb- token from "OAuth & Permissions")${suffix}`);
    requireFor('SLACK_ALERT_CHANNEL', 'to run the bot (the channel ID that receives scheduled results and alerts)');
    requireFor('SLACK_ADMINS', 'to run the bot (the Slack user IDs allowed to back up and restore)');
    if (values.SLACK_APP_TOKEN === undefined) {
      requireFor('SLACK_SIGNING_SECRET', 'when SLACK_APP_TOKEN is unset (HTTP mode); set SLACK_APP_TOKEN for Socket Mode instead');
    }
  }
  const r2Set = R2_REQUIRED.filter((name) => values[name] !== undefined);
  if (r2Set.length > 0 && r2Set.length < R2_REQUIRED.length) {
    for (const name of R2_REQUIRED) {
      requireFor(name, `once any CF_R2_* variable is set (set all of ${R2_REQUIRED.join(', ')}, or none for local-only backups)`);
    }
  }

  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const v = parsed.data;
  // Backups that name the store are useless without it: refused before anything runs.
  if (v.BACKUP_FILESTORE === 'store' && !(v.CF_R2_ENDPOINT && v.CF_R2_BUCKET && v.CF_R2_ACCESS_KEY_ID && v.CF_R2_SECRET_ACCESS_KEY)) {
    throw new ConfigError(['BACKUP_FILESTORE: "store" keeps the files in the attachment store in R2: set CF_R2_ENDPOINT, CF_R2_BUCKET and its keys, or use "archive"']);
  }

  const slack: SlackConfig | null =
    v.SLACK_BOT_TOKEN && v.SLACK_ALERT_CHANNEL && v.SLACK_ADMINS && (v.SLACK_APP_TOKEN || v.SLACK_SIGNING_SECRET)
      ? {
          botToken: v.SLACK_BOT_TOKEN,
          appToken: v.SLACK_APP_TOKEN,
          signingSecret: v.SLACK_SIGNING_SECRET,
          port: v.PORT,
          apiUrl: v.SLACK_API_URL,
          alertChannel: v.SLACK_ALERT_CHANNEL,
          admins: v.SLACK_ADMINS.split(',').map((id) => id.trim()),
        }
      : null;
  const discord: DiscordConfig | null =
    v.DISCORD_BOT_TOKEN && v.DISCORD_APPLICATION_ID && v.DISCORD_GUILD_ID && v.DISCORD_ALERT_CHANNEL && (v.DISCORD_ADMINS || v.DISCORD_ADMIN_ROLE)
      ? {
          botToken: v.DISCORD_BOT_TOKEN,
          applicationId: v.DISCORD_APPLICATION_ID,
          guildId: v.DISCORD_GUILD_ID,
          alertChannel: v.DISCORD_ALERT_CHANNEL,
          admins: v.DISCORD_ADMINS ? v.DISCORD_ADMINS.split(',').map((id) => id.trim()) : [],
          adminRole: v.DISCORD_ADMIN_ROLE,
          publicKey: v.DISCORD_PUBLIC_KEY,
          apiUrl: v.DISCORD_API_URL.replace(/\/+$/, ''),
        }
      : null;
  const r2: R2Config | null =
    v.CF_R2_ENDPOINT && v.CF_R2_BUCKET && v.CF_R2_ACCESS_KEY_ID && v.CF_R2_SECRET_ACCESS_KEY
      ? {
          endpoint: v.CF_R2_ENDPOINT,
          bucket: v.CF_R2_BUCKET,
          accessKeyId: v.CF_R2_ACCESS_KEY_ID,
          secretAccessKey: v.CF_R2_SECRET_ACCESS_KEY,
          prefix: v.CF_R2_PREFIX,
        }
      : null;

  return {
    slack,
    slackApiUrl: v.SLACK_API_URL,
    discord,
    port: v.PORT,
    docker: { host: v.DOCKER_HOST, composeProject: v.COMPOSE_PROJECT, odooService: v.ODOO_SERVICE, dbService: v.DB_SERVICE },
    odoo: { url: v.ODOO_URL, dataDir: v.ODOO_DATA_DIR, stopTimeoutSeconds: v.ODOO_STOP_TIMEOUT },
    postgres: { user: v.POSTGRES_USER, password: v.POSTGRES_PASSWORD, db: v.POSTGRES_DB },
    addonsDir: v.ADDONS_DIR,
    backup: {
      dir: v.BACKUP_DIR,
      schedule: v.BACKUP_SCHEDULE,
      retentionDays: v.BACKUP_RETENTION_DAYS,
      keep: Object.fromEntries(
        Object.entries({ daily: v.BACKUP_KEEP_DAILY, weekly: v.BACKUP_KEEP_WEEKLY, monthly: v.BACKUP_KEEP_MONTHLY, yearly: v.BACKUP_KEEP_YEARLY }).filter(([, n]) => n !== undefined),
      ) as GfsPolicy,
      drillSchedule: v.DRILL_SCHEDULE,
    },
    timeZone: v.TZ,
    r2,
    attachmentStore: { syncIntervalSeconds: v.ATTACHMENT_SYNC_INTERVAL, backupFilestore: v.BACKUP_FILESTORE as 'archive' | 'store' },
    secrets: SECRET_VARIABLES.map((name) => values[name]).filter((s): s is string => s !== undefined),
  };
}
