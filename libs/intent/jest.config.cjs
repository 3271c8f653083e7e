module.exports = {
  displayName: 'intent',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
