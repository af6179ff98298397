import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDockerClient } from '../../services/docker/docker-client.js';
import { COMPOSE_PROJECT_LABEL, COMPOSE_SERVICE_LABEL } from '../../services/docker/stack-containers.js';
import { keysUnder } from '../helpers/bucket.js';
import { runCli } from '../helpers/run-cli.js';
import { withStopped } from '../helpers/stack-faults.js';
import { slackEnv, testbedEnv } from '../helpers/testbed-env.js';
import { SlackStandIn } from '../testbed/slack-stand-in.js';

const testbed = inject('testbed');

/** The line of one check: `✔ name  detail`, or undefined. */
function line(out: string, name: string): string | undefined {
  return out.split('\n').find((l) => new RegExp(`^[✔✘–] ${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s`).test(l));
}

describe('odoo-ops doctor against the test bed', () => {
  const slack = new SlackStandIn();
  let cwd: string;
  let prefix: string;
  let env: (overrides?: Record<string, string | undefined>) => Record<string, string | undefined>;

  beforeAll(async () => {
    await slack.start();
    cwd = await mkdtemp(join(tmpdir(), 'odoo-ops-doctor-'));
    prefix = `doctor-${Date.now()}/`;
    env = (overrides = {}) =>
      testbedEnv(testbed, {
        BACKUP_DIR: join(cwd, 'backup'),
        ADDONS_DIR: join(cwd, 'addons'),
        CF_R2_PREFIX: prefix,
        ...slackEnv(slack, 'socket'),
        ...overrides,
      });
  });
  afterAll(() => slack.stop());

  it('all good: every check ✔, exit 0, and the R2 probe object is gone', async () => {
    const { code, out } = await runCli(['doctor'], env(), cwd);
    expect(code).toBe(0);
    for (const name of ['config', 'docker', 'pg_dump', 'pg_restore', 'odoo', 'backup dir', 'R2', 'Slack token', 'Slack channel', 'Slack app token']) {
      expect(line(out, name), `${name} in:\n${out}`).toMatch(/^✔/);
    }
    expect(line(out, 'docker')).toContain(`compose project "${testbed.stack.project}" (from COMPOSE_PROJECT)`);
    expect(line(out, 'pg_dump')).toContain('pg_dump (PostgreSQL) 15');
    expect(line(out, 'pg_restore')).toContain('pg_restore (PostgreSQL) 15');
    expect(out).toContain('All checks passed.');
    expect(await keysUnder(testbed, prefix)).toEqual([]);
    expect(slack.callsOf('conversations.info').at(-1)!.body.channel).toBe('C0ALERTS');
  });

  it('--json prints one document with every check', async () => {
    const { code, out } = await runCli(['doctor', '--json'], env({ CF_R2_ENDPOINT: undefined, CF_R2_BUCKET: undefined, CF_R2_ACCESS_KEY_ID: undefined, CF_R2_SECRET_ACCESS_KEY: undefined }), cwd);
    expect(code).toBe(0);
    const doc = JSON.parse(out) as { ok: boolean; checks: { name: string; state: string; fix?: string }[] };
    expect(doc.ok).toBe(true);
    // Without R2 the check is skipped with a note, which is no failure.
    expect(doc.checks.find((c) => c.name === 'R2')).toMatchObject({ state: 'skip' });
  });

  it('the db container stopped: ✘ docker and ✘ pg_dump with what to do, exit 1', async () => {
    const db = createDockerClient(testbed.dockerHost).getContainer(testbed.stack.db.container);
    const { code, out } = await withStopped(db, () => runCli(['doctor'], env(), cwd));
    expect(code).toBe(1);
    expect(line(out, 'docker')).toMatch(/^✘ .*db \(.*\) is exited/);
    expect(line(out, 'pg_dump')).toMatch(/^✘ .*not running/);
    expect(out).toContain('→ start the stack (`docker-compose up -d`)');
    expect(line(out, 'R2')).toMatch(/^✔/);
  });

  it('without COMPOSE_PROJECT, a db service in two compose projects: ✘ docker naming them, exit 1', async () => {
    const docker = createDockerClient(testbed.dockerHost);
    const other = `odoo-ops-doctor-other-${process.pid}`;
    const image = (await docker.getContainer(testbed.stack.db.container).inspect()).Config.Image;
    // Created, never started: a leftover of another stack is enough to make "db" ambiguous.
    const leftover = await docker.createContainer({ Image: image, Labels: { [COMPOSE_PROJECT_LABEL]: other, [COMPOSE_SERVICE_LABEL]: 'db' }, HostConfig: { NetworkMode: 'none' } });
    try {
      const { code, out } = await runCli(['doctor'], env({ COMPOSE_PROJECT: undefined }), cwd);
      expect(code).toBe(1);
      expect(line(out, 'docker')).toMatch(new RegExp(`^✘ .*"db" containers in several compose projects \\(.*${other}`));
      expect(out).toContain('→ set COMPOSE_PROJECT');
    } finally {
      await leftover.remove({ force: true });
    }
  });

  it('bad R2 credentials: ✘ R2, exit 1, the secret not printed', async () => {
    const secret = 'definitely-wrong-secret-key-0123456789';
    const { code, out, err } = await runCli(['doctor'], env({ CF_R2_ACCESS_KEY_ID: 'WRONGKEYID', CF_R2_SECRET_ACCESS_KEY: secret }), cwd);
    expect(code).toBe(1);
    expect(line(out, 'R2')).toMatch(/^✘ R2 +cannot write a probe object in bucket .*InvalidAccessKeyId/);
    expect(out).toContain('→ check CF_R2_ENDPOINT');
    expect(out + err).not.toContain(secret);
  });

  it('an unwritable BACKUP_DIR: ✘ backup dir, exit 1', async () => {
    const file = join(cwd, 'not-a-directory');
    await writeFile(file, 'x');
    const { code, out } = await runCli(['doctor'], env({ BACKUP_DIR: join(file, 'backup') }), cwd);
    expect(code).toBe(1);
    expect(line(out, 'backup dir')).toMatch(/^✘ .*is not writable \(ENOTDIR\)/);
  });

  it('Slack: a bad token, then an alert channel not found, each ✘ with the fix', async () => {
    const bad = await runCli(['doctor'], env({ SLACK_BOT_TOKEN: 'xoxb-not-the-right-token' }), cwd);
    expect(bad.code).toBe(1);
    expect(line(bad.out, 'Slack token')).toMatch(/^✘ .*invalid_auth/);
    slack.failNext('conversations.info', { error: 'channel_not_found' });
    const missing = await runCli(['doctor'], env(), cwd);
    expect(missing.code).toBe(1);
    expect(line(missing.out, 'Slack channel')).toMatch(/^✘ .*channel_not_found/);
    expect(missing.out).toContain('→ set SLACK_ALERT_CHANNEL to the channel ID');
  });

  it('an invalid configuration: its problems, ✘ config, exit 2 (bad config), nothing else checked', async () => {
    const { code, out, err } = await runCli(['doctor'], env({ PORT: 'http' }), cwd);
    expect(code).toBe(2);
    expect(err).toContain('PORT: expected a TCP port number');
    expect(err).toMatch(/^✘ config/m);
    expect(out).toBe('');
  });
});
