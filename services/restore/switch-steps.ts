import { mkdir, readdir, rename, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatabaseAdmin, WriteCounters } from '../database/database-admin.js';
import type { OdooControl } from './odoo-control.js';
import { ADDONS_LEFTOVER } from './restore-names.js';
import type { SwitchNames } from './switch-journal.js';

/** What the steps of a switch work on. */
export interface SwitchContext {
  names: SwitchNames;
  admin: DatabaseAdmin;
  odoo: OdooControl;
  healthTimeoutMs: number;
  /** Receives the live database's write counters, read after Odoo stopped and just before its rename. */
  onWriteCounters?: (counters: WriteCounters) => void;
}

/**
 * One step of the switch. Both directions are idempotent against the world
 * (they look before they move), so that after a crash a step that may or may
 * not have happened can simply be run again.
 */
export interface SwitchStep {
  name: string;
  forward(ctx: SwitchContext): Promise<void>;
  /** Puts back what `forward` changed; absent when there is nothing to put back (Odoo is started at the end of a rollback). */
  undo?(ctx: SwitchContext): Promise<void>;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Moves every entry of `from` (but our own set-aside folders) into `to`, inside one directory tree. */
async function moveEntries(fromDir: string, toDir: string, skip: (name: string) => boolean = () => false): Promise<void> {
  for (const name of await readdir(fromDir).catch(() => [] as string[])) {
    if (!skip(name)) await rename(join(fromDir, name), join(toDir, name));
  }
}

function paths(names: SwitchNames) {
  return {
    live: join(names.filestoreRoot, names.database),
    staged: join(names.filestoreRoot, names.restoredDatabase),
    previous: join(names.filestoreRoot, names.previousDatabase),
  };
}

function databaseRenames(names: SwitchNames): Array<[string, string]> {
  return names.liveExisted
    ? [
        [names.database, names.previousDatabase],
        [names.restoredDatabase, names.database],
      ]
    : [[names.restoredDatabase, names.database]];
}

const stopOdoo: SwitchStep = {
  name: 'stop-odoo',
  forward: (ctx) => ctx.odoo.stop(),
};

// Both renames in one transaction: the live name always holds a complete database.
const renameDatabases: SwitchStep = {
  name: 'rename-databases',
  async forward(ctx) {
    const { names } = ctx;
    if (!(await ctx.admin.databases()).includes(names.restoredDatabase)) return; // renamed before a crash
    const counters = await ctx.admin.renameAll(databaseRenames(names), { countWritesOf: names.liveExisted ? names.database : undefined });
    if (counters) ctx.onWriteCounters?.(counters);
  },
  async undo(ctx) {
    const { names } = ctx;
    const databases = await ctx.admin.databases();
    const renamed = !databases.includes(names.restoredDatabase) && databases.includes(names.liveExisted ? names.previousDatabase : names.database);
    if (!renamed) return;
    await ctx.admin.renameAll(databaseRenames(names).map(([from, to]) => [to, from] as [string, string]).reverse());
  },
};

const setAsideFilestore: SwitchStep = {
  name: 'set-aside-filestore',
  async forward(ctx) {
    const { live, previous } = paths(ctx.names);
    if ((await exists(live)) && !(await exists(previous))) await rename(live, previous);
  },
  async undo(ctx) {
    const { live, previous } = paths(ctx.names);
    if ((await exists(previous)) && !(await exists(live))) await rename(previous, live);
  },
};

const filestoreIn: SwitchStep = {
  name: 'filestore-in',
  async forward(ctx) {
    const { live, staged } = paths(ctx.names);
    if ((await exists(staged)) && !(await exists(live))) await rename(staged, live);
  },
  async undo(ctx) {
    const { live, staged } = paths(ctx.names);
    if ((await exists(live)) && !(await exists(staged))) await rename(live, staged);
  },
};

// Entry-by-entry moves can stop half-way; each direction moves whatever is left.
const setAsideAddons: SwitchStep = {
  name: 'set-aside-addons',
  async forward({ names: { addons } }) {
    if (!addons) return;
    const ours = (name: string) => name === addons.staged || name === addons.previous || ADDONS_LEFTOVER.test(name);
    await mkdir(join(addons.dir, addons.previous), { recursive: true });
    await moveEntries(addons.dir, join(addons.dir, addons.previous), ours);
  },
  async undo({ names: { addons } }) {
    if (!addons) return;
    await moveEntries(join(addons.dir, addons.previous), addons.dir);
    await rmdir(join(addons.dir, addons.previous)).catch(() => undefined);
  },
};

const addonsIn: SwitchStep = {
  name: 'addons-in',
  async forward({ names: { addons } }) {
    if (!addons) return;
    await moveEntries(join(addons.dir, addons.staged), addons.dir);
    await rmdir(join(addons.dir, addons.staged)).catch(() => undefined);
  },
  async undo({ names: { addons } }) {
    if (!addons) return;
    const ours = (name: string) => name === addons.staged || name === addons.previous || ADDONS_LEFTOVER.test(name);
    await mkdir(join(addons.dir, addons.staged), { recursive: true });
    await moveEntries(addons.dir, join(addons.dir, addons.staged), ours);
  },
};

const startOdoo: SwitchStep = {
  name: 'start-odoo',
  forward: (ctx) => ctx.odoo.start(),
};

const waitHealthy: SwitchStep = {
  name: 'health',
  forward: (ctx) => ctx.odoo.waitHealthy('switch', ctx.healthTimeoutMs),
};

/** The switch, in order: the restore's only downtime. */
export function switchSteps(names: SwitchNames): SwitchStep[] {
  return [stopOdoo, renameDatabases, setAsideFilestore, filestoreIn, ...(names.addons ? [setAsideAddons, addonsIn] : []), startOdoo, waitHealthy];
}

/** Every step name a switch can journal, for the crash tests. */
export const SWITCH_STEP_NAMES = [stopOdoo, renameDatabases, setAsideFilestore, filestoreIn, setAsideAddons, addonsIn, startOdoo, waitHealthy].map((s) => s.name);
