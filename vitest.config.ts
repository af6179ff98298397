import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        // Unit files keep no state of their own between them (nock is restored after its file): sharing the
        // workers' module cache keeps the suite well under 10 s on a loaded 2-core machine.
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], isolate: false },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/global-setup.ts'],
          setupFiles: ['test/helpers/per-file-setup.ts'],
          // One shared stack: files take turns rather than racing for it.
          fileParallelism: false,
          testTimeout: 60_000,
          // The first run builds the test images with debootstrap.
          hookTimeout: 900_000,
        },
      },
    ],
  },
});
