/**
 * A crash on purpose, for the tests that kill a restore at each step of its
 * switch: when ODOO_OPS_FAILPOINT names this point, the process ends at once
 * with SIGKILL, exactly as `kill -9` would end it there. Unset in production.
 */
export function failpoint(name: string): void {
  if (process.env.ODOO_OPS_FAILPOINT === name) process.kill(process.pid, 'SIGKILL');
}
