import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.tools/', '.data/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Nest reads constructor parameter types at run time: type-only imports would break injection.
    languageOptions: {
      parserOptions: { emitDecoratorMetadata: true, experimentalDecorators: true },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
    },
  },
  {
    // Tests read GraphQL JSON answers whose shape the assertions themselves check.
    files: ['**/*.spec.ts', '**/*.integration-spec.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no I/O libraries.
    files: ['workflows/**/*.ts'],
    ignores: ['workflows/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                'node:*',
                'fs',
                'path',
                'crypto',
                'net',
                'dns',
                'tls',
                'http',
                'https',
                'child_process',
              ],
              message: 'Workflow code must stay deterministic.',
            },
            {
              group: [
                'typeorm',
                'pg',
                '@nestjs/*',
                '@temporalio/client',
                '@temporalio/worker',
                '@temporalio/activity',
                '../activities/*',
                '../apps/*',
              ],
              message: 'Workflow code imports activity types only, through libs/contracts.',
            },
          ],
        },
      ],
    },
  },
);
