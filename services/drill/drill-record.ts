import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

/** In BACKUP_DIR; not a backup name, so retention and listings never touch it. */
export const DRILL_RECORD_FILE = 'odoo-ops-drills.json';
/** How many drills the record remembers (newest first). */
const KEPT = 50;

const drillResultSchema = z.object({
  backup: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  passed: z.boolean(),
  /** Where the archive was taken from. */
  source: z.enum(['local', 'r2']),
  /** Restore of the database into the scratch database, measured (the RTO). */
  restoreMs: z.number().nullable(),
  checks: z.array(z.object({ name: z.string(), status: z.enum(['passed', 'failed', 'skipped']), detail: z.string() })),
  /** The first failure, said for an operator; null when passed. */
  failure: z.object({ stage: z.string(), message: z.string() }).nullable(),
});
export type DrillResult = z.infer<typeof drillResultSchema>;

const recordSchema = z.object({ drills: z.array(drillResultSchema) });

/**
 * The drills run so far, newest first, from BACKUP_DIR/odoo-ops-drills.json;
 * empty when the file is absent. A file that cannot be parsed reads as empty
 * (no drill is then claimed as proof). No side effects.
 */
export async function readDrillRecord(backupDir: string): Promise<DrillResult[]> {
  let text: string;
  try {
    text = await readFile(join(backupDir, DRILL_RECORD_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const parsed = recordSchema.safeParse(JSON.parse(text || '{}'));
  return parsed.success ? parsed.data.drills : [];
}

/** Adds `result` at the head of the record (keeping the newest 50), written to a temporary file then renamed. */
export async function appendDrillResult(backupDir: string, result: DrillResult): Promise<void> {
  const drills = [result, ...(await readDrillRecord(backupDir).catch(() => []))].slice(0, KEPT);
  const path = join(backupDir, DRILL_RECORD_FILE);
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify({ drills }, null, 2)}\n`);
  await rename(temporary, path);
}

/** The names of backups that passed a drill (for `list`), and the newest of them (kept by retention). */
export function drilledBackups(drills: readonly DrillResult[]): { passed: Set<string>; newestPassed: string | null } {
  const passed = new Set(drills.filter((d) => d.passed).map((d) => d.backup));
  const newestPassed = [...passed].sort().reverse()[0] ?? null;
  return { passed, newestPassed };
}
