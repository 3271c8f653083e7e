module.exports = {
  displayName: 'aws',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
