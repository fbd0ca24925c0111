import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'bench/results/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    // One way to run a transaction (src/store/README.md): Kysely's own would bypass SQLite's group commit.
    files: ['src/**/*.ts'],
    ignores: ['src/store/units-of-work.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.property.name='transaction'][arguments.length=0]", message: 'run transactions as units of work: store.units.execute (src/store/README.md)' },
      ],
    },
  },
  {
    files: ['**/*.mjs', '.ci/**'],
    languageOptions: { globals: { console: 'readonly', process: 'readonly' } },
  },
);
