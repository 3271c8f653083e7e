module.exports = {
  displayName: 'tools',
  preset: '../jest.preset.js',
  rootDir: __dirname,
  // Integration tests sit beside the code as `*.int.test.ts`: the `integration` target
  // (JEST_SUITE=integration) runs those, `test` the rest.
  testMatch: process.env.JEST_SUITE === 'integration' ? ['<rootDir>/**/*.int.test.ts'] : ['<rootDir>/**/!(*.int).test.ts'],
};
