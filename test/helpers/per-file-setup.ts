import { beforeAll, inject } from 'vitest';
import { dropSetAsides } from './backup-services.js';

// Every integration file shares the test bed's stack: data an earlier file's
// restores set aside is not this file's, and its backups would (rightly, for a
// user) archive it into their own BACKUP_DIR.
beforeAll(async () => {
  await dropSetAsides(inject('testbed'));
});
