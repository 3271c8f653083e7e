module.exports = {
  displayName: 'revisions',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
