// Jest projects (house style): unit (no network), integration (real PostgreSQL + Redis),
// e2e (cross-process, top-level test/). Tests run TypeScript through ts-jest in
// transpile-only mode; `npm run typecheck` (tsc -b) is the type gate.
const transform = {
  '^.+\\.tsx?$': [
    'ts-jest',
    {
      tsconfig: {
        module: 'commonjs',
        target: 'ES2022',
        esModuleInterop: true,
        isolatedModules: true,
        jsx: 'react-jsx',
      },
    },
  ],
};
const common = {
  testEnvironment: 'node',
  transform,
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  moduleNameMapper: { '\\.css$': '<rootDir>/test/support/style-stub.js' },
};

/** @type {import('jest').Config} */
module.exports = {
  maxWorkers: 2,
  // A global option (ignored inside projects). Hooks that create a database from the template or
  // sign users in (argon2id) take well under a second on an idle machine, but several seconds
  // while two workers share two cores.
  testTimeout: 30_000,
  // One log directory per run; at the end every log is grepped for the suite's secrets.
  globalSetup: '<rootDir>/packages/testkit/src/jest-log-setup.ts',
  globalTeardown: '<rootDir>/packages/testkit/src/jest-log-teardown.ts',
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,packages}/*/src/**/*.test.ts', '<rootDir>/bench/**/*.test.ts'],
      testPathIgnorePatterns: [...common.testPathIgnorePatterns, '\\.int\\.test\\.ts$'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,packages}/*/src/**/*.int.test.ts'],
      globalSetup: '<rootDir>/packages/testkit/src/jest-global-setup.ts',
      globalTeardown: '<rootDir>/packages/testkit/src/jest-global-teardown.ts',
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e.test.ts'],
      globalSetup: '<rootDir>/packages/testkit/src/jest-global-setup.ts',
      globalTeardown: '<rootDir>/packages/testkit/src/jest-global-teardown.ts',
    },
  ],
};
