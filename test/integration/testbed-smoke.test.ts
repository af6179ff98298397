import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDockerClient } from '../../services/docker/docker-client.js';
import { execInContainer } from '../../services/docker/exec-in-container.js';
import { StackContainers } from '../../services/docker/stack-containers.js';
import { createS3Client } from '../../services/storage/s3-client.js';
import type { SlackConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createSlackApp, type SlackApp } from '../../src/slack/create-slack-app.js';
import { postSlashCommand } from '../helpers/signed-slack-request.js';
import { slackTestDeps } from '../helpers/slack-test-deps.js';
import { freePort } from '../testbed/free-port.js';
import { SlackStandIn } from '../testbed/slack-stand-in.js';

const testbed = inject('testbed');

describe('Docker engine and the stack containers', () => {
  const docker = createDockerClient(testbed.dockerHost);
  const stack = new StackContainers(docker, { composeProject: testbed.stack.project, odooService: 'odoo', dbService: 'db' });

  it('lists the odoo and db containers by compose labels, running and healthy', async () => {
    const containers = await stack.list();
    expect(containers.map((c) => [c.service, c.state, c.health])).toEqual([
      ['odoo', 'running', 'healthy'],
      ['db', 'running', 'healthy'],
    ]);
  });

  it('runs a SQL query in the db container through docker exec', async () => {
    const db = await stack.container('db');
    const result = await execInContainer(db, ['psql', '-U', testbed.stack.db.user, '-d', testbed.stack.db.database, '-AtX', '-c', 'select version(), 6 * 7']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^PostgreSQL 15\.\d+.*\|42\n$/);
  });

  it('reports a failing command by its exit code and stderr', async () => {
    const db = await stack.container('db');
    const result = await execInContainer(db, ['psql', '-U', testbed.stack.db.user, '-d', 'no_such_db', '-c', 'select 1']);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain('database "no_such_db" does not exist');
  });

  it('answers /web/health from the odoo stand-in like Odoo 17', async () => {
    const response = await fetch(`${testbed.stack.odoo.url}/web/health`);
    expect(response.status).toBe(200);
    expect(JSON.parse(await response.text())).toEqual({ status: 'pass' });
  });
});

describe('S3-compatible server', () => {
  const s3 = createS3Client(testbed.s3);
  const Bucket = testbed.s3.bucket;
  const Key = `smoke/${Date.now()}.txt`;

  it('round-trips an object: put, list, get, delete', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key, Body: 'hello odoo', Metadata: { sha256: 'abc' } }));
    const listed = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'smoke/' }));
    expect(listed.Contents?.map((o) => o.Key)).toContain(Key);
    const got = await s3.send(new GetObjectCommand({ Bucket, Key }));
    expect(await got.Body!.transformToString()).toBe('hello odoo');
    expect(got.Metadata).toEqual({ sha256: 'abc' });
    await s3.send(new DeleteObjectCommand({ Bucket, Key }));
    const after = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'smoke/' }));
    expect(after.Contents ?? []).toEqual([]);
  });

  // s3rver checks the access key id but does not verify SigV4 signatures.
  it('rejects an unknown access key', async () => {
    const stranger = createS3Client({ ...testbed.s3, accessKeyId: 'NOT-OUR-KEY' });
    await expect(stranger.send(new ListObjectsV2Command({ Bucket }))).rejects.toThrow(/Access Key Id/i);
  });
});

describe('Slack HTTP mode against the stand-in Web API', () => {
  const slackStandIn = new SlackStandIn();
  const signingSecret = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
  let app: SlackApp;
  let url: string;

  beforeAll(async () => {
    await slackStandIn.start();
    const port = await freePort();
    const slack: SlackConfig = {
      botToken: slackStandIn.botToken,
      signingSecret,
      port,
      apiUrl: slackStandIn.apiUrl,
      alertChannel: 'C0ALERTS',
      admins: ['U0ADMIN1'],
    };
    app = createSlackApp(slack, createLogger({ secrets: [slack.botToken, signingSecret], level: 'warn' }), slackTestDeps(testbed));
    await app.start({ port, host: '127.0.0.1' });
    url = `http://127.0.0.1:${port}/slack/events`;
  });
  afterAll(async () => {
    await app?.stop();
    await slackStandIn.stop();
  });

  it('answers a correctly signed /odoo help with 200 and the usage, having checked its token with the stand-in', async () => {
    const response = await postSlashCommand({ url, signingSecret, text: 'help' });
    expect(response.status).toBe(200);
    const reply = (await response.json()) as { response_type: string; text: string };
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toContain('/odoo help');
    const authTest = await slackStandIn.waitFor('auth.test');
    expect(authTest.token).toBe(slackStandIn.botToken);
  });

  it('refuses a forged signature and a 6-minute-old request with 401, with no side effect', async () => {
    const before = slackStandIn.calls.length;
    const forged = await postSlashCommand({ url, signingSecret, signWith: 'ffffffffffffffffffffffffffffffff', text: 'help' });
    const stale = await postSlashCommand({ url, signingSecret, text: 'help', timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect([forged.status, stale.status]).toEqual([401, 401]);
    expect(await forged.text()).not.toContain('/odoo');
    expect(slackStandIn.calls.length).toBe(before);
  });

  it('answers GET /healthz with 200', async () => {
    const response = await fetch(url.replace('/slack/events', '/healthz'));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, mode: 'http' });
  });
});
