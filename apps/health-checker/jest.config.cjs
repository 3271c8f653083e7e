module.exports = {
  displayName: 'health-checker',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
