// Lint rules that keep the package boundaries honest: no deep imports across packages, imports
// only in the direction common ← serdes ← state ← core ← runtime, kafkajs only in the runtime's
// Kafka adapter, examples only through the public `sluice` package.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const deepImports = [
  // declared subpath entries are public: @sluice/runtime/query (no Kafka client), sluice/http
  { group: ['@sluice/*/*', '!@sluice/runtime/query', 'sluice/*', '!sluice/http'], message: "Import a package's public entry ('@sluice/core'), never its files." },
  { group: ['../../*/src/**', '../../../*/src/**', '../../../packages/**', '../../packages/**'], message: 'Import other packages by name (@sluice/…), never by relative path.' },
];

/** The packages each layer must not import (it may import only those below it). */
const forbidden = {
  common: ['@sluice/serdes', '@sluice/state', '@sluice/core', '@sluice/runtime', '@sluice/test-utils', 'sluice'],
  serdes: ['@sluice/state', '@sluice/core', '@sluice/runtime', '@sluice/test-utils', 'sluice'],
  state: ['@sluice/core', '@sluice/runtime', '@sluice/test-utils', 'sluice'],
  core: ['@sluice/runtime', '@sluice/test-utils', 'sluice'],
  runtime: ['@sluice/test-utils', '@sluice/http', 'sluice'],
  http: ['@sluice/test-utils', 'sluice'],
  'test-utils': ['@sluice/runtime', 'sluice', 'kafkajs'],
  // the CLI builds on the packages' public entries; `sluice` depends on it (its bin), not the reverse
  cli: ['@sluice/test-utils', 'sluice'],
  sluice: [],
};

function restrict(names, extraPatterns = []) {
  return [
    'error',
    {
      paths: names.map((name) => ({ name, message: 'Imports go one way: common ← serdes ← state ← core ← runtime (see ARCHITECTURE.md).' })),
      patterns: [...deepImports, ...extraPatterns],
    },
  ];
}

const kafkajsOnlyInAdapter = {
  group: ['kafkajs', 'kafkajs/*', 'sluice-kafkajs', 'sluice-kafkajs/*'],
  message: 'kafkajs is used only in packages/runtime/src/kafka/ (the Kafka client port).',
};
/** The runtime's Kafka client uses its private kafkajs copy (`sluice-kafkajs`), never the application's `kafkajs`. */
const noUserKafkajs = { group: ['kafkajs', 'kafkajs/*'], message: "the runtime uses its private copy 'sluice-kafkajs', never the application's 'kafkajs' (docs/decisions/0005)." };

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.local-stack/**', 'bench/java/**', 'bench/results/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { project: ['./tsconfig.check.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-throw-literal': 'error',
      'prefer-const': 'error',
      'no-restricted-imports': restrict([]),
    },
  },
  ...Object.entries(forbidden).map(([pkg, names]) => ({
    files: [`packages/${pkg}/**/*.ts`],
    rules: { 'no-restricted-imports': restrict(names, pkg === 'runtime' ? [noUserKafkajs] : [kafkajsOnlyInAdapter]) },
  })),
  {
    files: ['packages/runtime/src/**/*.ts'],
    ignores: ['packages/runtime/src/kafka/**'],
    rules: { 'no-restricted-imports': restrict(forbidden.runtime, [kafkajsOnlyInAdapter]) },
  },
  {
    // the query layer loads only the Kafka-client-free query entry of the runtime at run time, so its
    // client can run where no KafkaStreams does (types of the main entry are fine)
    files: ['packages/http/src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { paths: [{ name: '@sluice/runtime', allowTypeImports: true, message: "Import values from '@sluice/runtime/query'; the main entry loads the Kafka client." }] },
      ],
    },
  },
  {
    files: ['examples/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([], [{ group: ['@sluice/*'], message: "Examples import only the public package 'sluice'." }, kafkajsOnlyInAdapter]),
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly' } },
  },
);
