module.exports = {
  displayName: 'analyses',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
