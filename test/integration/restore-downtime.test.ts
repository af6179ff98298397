import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { runBackup } from '../../services/backup/run-backup.js';
import { createDockerClient } from '../../services/docker/docker-client.js';
import { runRestore } from '../../services/restore/run-restore.js';
import { backupWorld, type BackupWorld } from '../helpers/backup-services.js';
import { changeOdooData, odooHealthy, snapshotOdoo } from '../helpers/odoo-state.js';
import { seedDatabase, seedFilestore } from '../helpers/seed-odoo.js';

const testbed = inject('testbed');
const db = testbed.stack.db.database;
const odooContainer = () => createDockerClient(testbed.dockerHost).getContainer(testbed.stack.odoo.container);

/**
 * A request Odoo takes `seconds` to answer (the stand-in's /cgi-bin/slow). Resolves
 * once its headers arrived, i.e. once Odoo is serving it; `body` then settles when
 * the answer is complete, or rejects when the connection is cut before.
 */
async function slowRequest(seconds: number): Promise<{ body: Promise<string> }> {
  const response = await fetch(new URL(`/cgi-bin/slow?seconds=${seconds}`, testbed.stack.odoo.url));
  expect(response.status).toBe(200);
  const body = response.text();
  body.catch(() => {}); // awaited by the test; no unhandled rejection meanwhile
  return { body };
}

describe('Odoo downtime in a restore', () => {
  let world: BackupWorld;

  beforeAll(async () => {
    world = await backupWorld(testbed);
  });

  // The stack is shared by the run's test files: Odoo serves again after each case.
  afterEach(async () => {
    await world.services.odoo.start();
    await world.services.odoo.waitHealthy('test', 30_000);
  });

  it('the stand-in, like Odoo, finishes a request in flight before it stops: a 2 s request survives docker stop -t 10', async () => {
    const request = await slowRequest(2);
    await odooContainer().stop({ t: 10 });
    expect(await request.body).toBe('{"slept": 2}');
    // It stopped by itself, not killed by Docker.
    expect((await odooContainer().inspect()).State.ExitCode).toBe(0);
  });

  it('the stand-in, like Odoo, answers /web/health only a moment after a start', async () => {
    await world.services.odoo.stop();
    await world.services.odoo.start();
    expect(await odooHealthy(testbed)).toBe(false);
    await world.services.odoo.waitHealthy('test', 30_000);
    expect(await odooHealthy(testbed)).toBe(true);
  });

  it('stop() kills Odoo after ODOO_STOP_TIMEOUT, cutting a request that would have finished within Docker`s default 10 s', async () => {
    const bounded = await backupWorld(testbed, { ODOO_STOP_TIMEOUT: '1' });
    const request = await slowRequest(4);
    await bounded.services.odoo.stop();
    await expect(request.body).rejects.toThrow(/terminated/);
    const state = (await odooContainer().inspect()).State;
    expect(state.Running).toBe(false);
    expect(state.ExitCode).toBe(137); // SIGKILL, after the grace period
  });

  it('with a slow request in flight, the switch stops Odoo (cutting the request) and the restore brings back the exact data', async () => {
    await rm(join(testbed.stack.odoo.dataDir, 'filestore', db), { recursive: true, force: true });
    await seedDatabase(testbed, 200);
    await seedFilestore(testbed.stack.odoo.dataDir, db, 10);
    const bounded = await backupWorld(testbed, { ODOO_STOP_TIMEOUT: '2' });
    const backedUp = await snapshotOdoo(testbed);
    const backup = await runBackup(bounded.services, { startedBy: 'test' });
    if (!backup.ok) throw backup.error;
    await changeOdooData(testbed);

    // Far longer than the test may last: only the stop timeout can end it.
    const request = await slowRequest(600);
    const outcome = await runRestore(bounded.services, { name: backup.name, startedBy: 'test' });
    if (!outcome.ok) throw outcome.error;

    await expect(request.body).rejects.toThrow(/terminated/);
    expect(await snapshotOdoo(testbed)).toEqual(backedUp);
    expect(await odooHealthy(testbed)).toBe(true);
    expect(outcome.downtimeMs).toBeGreaterThan(0);
  });
});
