module.exports = {
  displayName: 'local-stack',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
