import { OperationError } from '../services/operation-error.js';
import type { Services } from '../services/services.js';

/**
 * Why an operation on the stack's containers must not start: odoo-ops cannot
 * tell which compose stack is its own (odoo or db in several projects, or odoo
 * and db in different ones). Null when the scope is clear, and also when Docker
 * cannot be asked: the operation then fails in its own stage, saying so.
 */
export async function stackScopeRefusal(services: Pick<Services, 'stack'>): Promise<OperationError | null> {
  try {
    await services.stack.resolve();
    return null;
  } catch (error) {
    return error instanceof OperationError ? error : null;
  }
}
