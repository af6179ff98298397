import { Readable } from 'node:stream';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDockerClient } from '../../services/docker/docker-client.js';
import { execInContainer } from '../../services/docker/exec-in-container.js';

// What a Docker socket proxy in front of the engine can answer (the compose stack
// test shows the real one, test/integration/compose-stack.test.ts); nock injects it.
const ENDPOINT = 'http://127.0.0.1:9'; // nothing listens there: only nock answers
const ID = 'a'.repeat(64);
const HAPROXY_403 = '<html><body><h1>403 Forbidden</h1>\nRequest forbidden by administrative rules.\n</body></html>\n';

// The unit files share their workers: another file may have switched nock's interception off.
beforeAll(() => {
  if (!nock.isActive()) nock.activate();
});
// …and the next file gets Node's own HTTP back.
afterAll(() => {
  nock.restore();
});

describe('Docker behind a socket proxy', () => {
  afterEach(() => {
    nock.cleanAll();
  });

  it('a 403 from the proxy says the proxy denied that request and which settings odoo-ops needs', async () => {
    nock(ENDPOINT).get('/images/json').reply(403, HAPROXY_403, { 'Content-Type': 'text/html' });
    const docker = createDockerClient('tcp://127.0.0.1:9');
    const error = await docker.listImages().then(() => null, (e: Error & { statusCode?: number }) => e);
    expect(error?.message).toBe(
      'denied by the Docker socket proxy (HTTP 403): GET /images/json is not on its allow-list; odoo-ops needs CONTAINERS=1, EXEC=1, POST=1, ALLOW_START=1 and ALLOW_STOP=1 on the proxy (docker-compose.yml, service docker-proxy)',
    );
    // Callers that look at the status still can.
    expect(error?.statusCode).toBe(403);
  });

  it("a 403 with Docker's own JSON (an authorization plugin) quotes Docker's message", async () => {
    nock(ENDPOINT).get('/containers/json').query(true).reply(403, { message: 'authorization denied by plugin authz: no' });
    const docker = createDockerClient('tcp://127.0.0.1:9');
    await expect(docker.listContainers()).rejects.toThrow('Docker refused GET /containers/json (HTTP 403): authorization denied by plugin authz: no');
  });

  it('exec with stdin through a proxy that answers 200 instead of upgrading fails at once, saying why', async () => {
    nock(ENDPOINT)
      .post(`/containers/${ID}/exec`)
      .reply(201, { Id: 'e'.repeat(64) })
      .post(`/exec/${'e'.repeat(64)}/start`)
      .reply(200, '', { 'Content-Type': 'application/vnd.docker.raw-stream', Connection: 'close' });
    const docker = createDockerClient('tcp://127.0.0.1:9');
    await expect(execInContainer(docker.getContainer(ID), ['pg_restore'], { stdin: Readable.from([Buffer.from('dump')]) })).rejects.toThrow(
      /Docker did not upgrade the connection of `docker exec` with stdin \(pg_restore\): a proxy between odoo-ops and Docker \(DOCKER_HOST\) does not pass on HTTP upgrades/,
    );
  });
});

describe('exec refused by a socket proxy', () => {
  afterEach(() => {
    nock.cleanAll();
  });

  it('an exec whose start is refused (403) fails with that reason, instead of never settling', async () => {
    nock(ENDPOINT)
      .post(`/containers/${ID}/exec`)
      .reply(201, { Id: 'f'.repeat(64) })
      .post(`/exec/${'f'.repeat(64)}/start`)
      .reply(403, HAPROXY_403, { 'Content-Type': 'text/html' });
    const docker = createDockerClient('tcp://127.0.0.1:9');
    await expect(execInContainer(docker.getContainer(ID), ['pg_dump'])).rejects.toThrow(/denied by the Docker socket proxy \(HTTP 403\): POST \/exec\/f+\/start/);
  });
});
