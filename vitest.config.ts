import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/global-setup.ts'],
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
