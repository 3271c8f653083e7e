// Shared Jest settings: TypeScript through SWC (type-checking is the `typecheck` target's job),
// the workspace path aliases from tsconfig.base.json, and a reporter whose closing line CI can count.
const path = require('node:path');
const { compilerOptions } = require('./tsconfig.base.json');

const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths ?? {}).map(([alias, [target]]) => [
    `^${alias.replace(/[/\-]/g, (c) => `\\${c}`)}$`,
    path.join(__dirname, target),
  ]),
);

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.[tj]s$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  setupFiles: [path.join(__dirname, 'tools/jest/setup-env.js')],
  // The `test` target (the fast loop) runs the unit tests beside the code; the `integration` target
  // (nx.json) sets JEST_SUITE=integration for the ones in test/, on real engines.
  testMatch: process.env.JEST_SUITE === 'integration' ? ['<rootDir>/test/**/*.test.ts'] : ['<rootDir>/src/**/*.test.ts'],
  reporters: ['default', path.join(__dirname, 'tools/jest/count-reporter.js')],
};
