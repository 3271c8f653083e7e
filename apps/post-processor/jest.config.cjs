module.exports = {
  displayName: 'post-processor',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
