import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// SWC instead of esbuild: NestJS and TypeORM need emitted decorator metadata.
const plugins = [swc.vite({ module: { type: 'es6' } })];
const exclude = ['node_modules/**', 'dist/**', '.tools/**'];

export default defineConfig({
  test: {
    projects: [
      {
        plugins,
        test: {
          name: 'unit',
          include: ['**/*.spec.ts'],
          exclude,
          pool: 'forks',
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
      {
        plugins,
        test: {
          name: 'integration',
          include: ['**/*.integration-spec.ts'],
          exclude,
          pool: 'forks',
          // Real Postgres and a real Temporal dev server, started once for the run.
          globalSetup: ['test/global-setup.ts'],
          // Projects do not inherit the root's test options: each names its own limits.
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
