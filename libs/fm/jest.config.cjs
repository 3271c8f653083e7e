module.exports = {
  displayName: 'fm',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
