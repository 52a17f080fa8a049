// One Vitest run for the whole repository, against sources (packages resolve to their src/index.ts),
// never against a stale dist/. Unit and driver tests need no broker; integration tests share one
// local Kafka + schema registry started once per run by test/helpers/global-setup.ts.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const packages = fileURLToPath(new URL('./packages/', import.meta.url));
const resolve = {
  alias: [
    { find: /^sluice$/, replacement: `${packages}sluice/src/index.ts` },
    { find: /^sluice\/http$/, replacement: `${packages}sluice/src/http.ts` },
    { find: /^@sluice\/runtime\/query$/, replacement: `${packages}runtime/src/query/index.ts` },
    { find: /^@sluice\/([a-z-]+)$/, replacement: `${packages}$1/src/index.ts` },
  ],
};

export default defineConfig({
  resolve,
  test: {
    reporters: ['default'],
    projects: [
      {
        resolve,
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts', 'test/driver/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'bench/test/**/*.test.ts'],
          exclude: ['packages/*/test/integration/**'],
          testTimeout: 20_000,
        },
      },
      {
        resolve,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts', 'packages/*/test/integration/**/*.test.ts'],
          globalSetup: ['test/helpers/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          // two cores and one broker: run integration files one at a time
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
