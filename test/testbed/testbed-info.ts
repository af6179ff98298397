import type {} from 'vitest';
import type { S3Server } from './s3-server.js';
import type { TestStack } from './stack.js';

/** What the global setup started, handed to every integration test through `inject('testbed')`. */
export interface TestbedInfo {
  dockerHost: string;
  stack: TestStack;
  s3: S3Server;
  /** A scratch directory for this run, removed at teardown. */
  workDir: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    testbed: TestbedInfo;
  }
}
