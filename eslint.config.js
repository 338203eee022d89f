import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'node_modules/', 'coverage/', '**/testdata/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // The pure middle of the pipeline: no processes, files, environment or Actions toolkit.
    files: [
      'src/dockerfile/**/*.ts',
      'src/stages/**/*.ts',
      'src/plan/**/*.ts',
      'src/keys/encode.ts',
      'src/keys/stage-key.ts',
      'src/keys/normalize.ts',
      'src/keys/scope.ts',
      'src/keys/glob.ts',
      'src/keys/git.ts',
      'src/cache/oci-layout.ts',
      'src/buildx/args.ts',
      'src/buildx/bake-file.ts',
      'src/buildx/metadata.ts',
      'src/buildx/progress.ts',
      'src/report/*.ts',
      'src/drift/*.ts',
    ],
    ignores: ['**/*.test.ts', 'src/report/comment.ts', 'src/drift/store.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@actions/*'], message: 'Only adapters and entry points talk to the Actions toolkit.' },
            {
              group: ['node:fs', 'node:fs/*', 'node:child_process', 'fs', 'child_process'],
              message: 'Pure modules take data in and give data out; effects live at the edges.',
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Nothing below main.ts reads the environment.' },
      ],
    },
  },
);
