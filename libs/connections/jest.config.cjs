module.exports = {
  displayName: 'connections',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
