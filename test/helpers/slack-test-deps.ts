import type { Services } from '../../services/services.js';
import { buildServices } from '../../src/build-services.js';
import { loadConfig } from '../../src/config.js';
import type { OperationRequest, SlackDeps } from '../../src/slack/slack-deps.js';
import type { TestbedInfo } from '../testbed/testbed-info.js';
import { testbedEnv } from './testbed-env.js';

export interface StartedOperation {
  operation: 'backup' | 'restore' | 'confirm-restore' | 'cancel-restore';
  userId: string;
  channelId: string;
  name?: string;
}

/**
 * The Slack app's dependencies for tests: real services on the test bed, and
 * backup/restore starters that stand in for the pipelines of issues 3 and 5.
 * Each starter records that it started (what a user would see as "a backup
 * began") and answers the requester, so tests can tell whether one started.
 */
export function slackTestDeps(testbed: TestbedInfo, env: Record<string, string | undefined> = {}): SlackDeps & { started: StartedOperation[]; services: Services } {
  const services = buildServices(loadConfig(testbedEnv(testbed, env), 'cli'));
  const started: StartedOperation[] = [];
  const start = async (operation: StartedOperation['operation'], request: OperationRequest, name?: string) => {
    started.push({ operation, userId: request.userId, channelId: request.channelId, name });
    await request.reply({ response_type: 'ephemeral', replace_original: false, text: `${operation} started` });
    return { started: true };
  };
  return {
    services,
    started,
    startBackup: (request) => start('backup', request),
    startRestore: (request) => start('restore', request, request.name),
    confirmRestore: (press) => start('confirm-restore', press, press.offerId),
    cancelRestore: async (press) => {
      await start('cancel-restore', press, press.offerId);
    },
  };
}
