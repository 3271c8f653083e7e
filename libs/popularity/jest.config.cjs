module.exports = {
  displayName: 'popularity',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
