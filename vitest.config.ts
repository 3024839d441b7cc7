import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Tests run the TypeScript sources: the 'ocapn-ts-source' condition makes package.json
  // "imports" (e.g. '#ed25519') resolve into src/ instead of dist/. The rest is Vite's
  // default server condition list.
  ssr: { resolve: { conditions: ['ocapn-ts-source', 'module', 'node', 'development|production'] } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    reporters: ['default', './test/reporter.ts'],
  },
});
