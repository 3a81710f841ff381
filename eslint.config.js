// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const focusedOrSkipped = ['only', 'skip'].flatMap((property) =>
  ['it', 'test', 'describe'].map((object) => ({ object, property, message: 'No focused or skipped tests on main.' })),
);

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'admin-ui/src/app/api/**', '.angular/**', 'e2e/test-results/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-restricted-properties': ['error', ...focusedOrSkipped],
      'no-restricted-globals': ['error', { name: 'xit', message: 'No skipped tests.' }, { name: 'fit', message: 'No focused tests.' }],
    },
  },
  {
    // Tests read loosely-typed JSON bodies; `any` there is honest.
    files: ['backend/test/**/*.ts', '**/*.spec.ts', 'e2e/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['backend/src/**/*.ts'],
    ignores: ['backend/src/config/**', 'backend/src/database/data-source.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Read configuration through AppConfig.' },
      ],
    },
  },
);
