import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The dependency direction (DESIGN.md: core ← mock-* ← scenarios ← control; the stitcher stands
 * alone), enforced on every file of each folder, tests included. A relative import reaching one of
 * these top-level folders is refused with the reason.
 */
const reaching = (folders) => `^(\\.\\.?/)+(${folders.join('|')})(/|$)`;
const restrict = (...patterns) => ['error', { patterns }];

/** Outside a mock, a mock is reached only through its index.ts. */
const THROUGH_INDEX = {
  regex: '^(\\.\\.?/)+mock-(atomic|atelio)/.',
  message: 'Import a mock through its index.ts (../mock-atomic, ../mock-atelio), not its internals.',
};

const boundaries = [
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs'],
    rules: { 'no-restricted-imports': restrict(THROUGH_INDEX) },
  },
  {
    files: ['core/**'],
    rules: {
      'no-restricted-imports': restrict({
        regex: reaching([
          'mock-atomic',
          'mock-atelio',
          'transact',
          'scenarios',
          'control',
          'stitcher',
          'contracts',
        ]),
        message: 'core depends on nothing of the platform: the mocks, scenarios and control build on it.',
      }),
    },
  },
  {
    files: ['mock-atomic/**'],
    rules: {
      'no-restricted-imports': restrict({
        regex: reaching(['mock-atelio', 'transact', 'scenarios', 'control', 'stitcher', 'contracts']),
        message: 'A mock imports only core and itself: never the other mock, nor what builds on the mocks.',
      }),
    },
  },
  {
    files: ['mock-atelio/**'],
    rules: {
      'no-restricted-imports': restrict({
        regex: reaching(['mock-atomic', 'transact', 'scenarios', 'control', 'stitcher', 'contracts']),
        message: 'A mock imports only core and itself: never the other mock, nor what builds on the mocks.',
      }),
    },
  },
  {
    files: ['stitcher/**'],
    rules: {
      'no-restricted-imports': restrict({
        regex: reaching([
          'core',
          'mock-atomic',
          'mock-atelio',
          'transact',
          'scenarios',
          'control',
          'contracts',
        ]),
        message: 'The stitcher is a client of the vendors: it imports nothing of the platform.',
      }),
    },
  },
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'contracts/pacts/**', 'test-artifacts/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  ...boundaries,
);
