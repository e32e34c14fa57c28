import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// SWC instead of esbuild: NestJS and TypeORM need emitted decorator metadata.
const plugins = [swc.vite({ module: { type: 'es6' } })];
const exclude = ['node_modules/**', 'dist/**', '.tools/**'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 180_000,
    projects: [
      {
        plugins,
        test: { name: 'unit', include: ['**/*.spec.ts'], exclude, pool: 'forks' },
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
          testTimeout: 120_000,
        },
      },
    ],
  },
});
