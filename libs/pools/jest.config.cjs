module.exports = {
  displayName: 'pools',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
