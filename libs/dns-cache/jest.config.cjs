module.exports = {
  displayName: 'dns-cache',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
