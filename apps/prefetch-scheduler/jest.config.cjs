module.exports = {
  displayName: 'prefetch-scheduler',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
