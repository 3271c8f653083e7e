module.exports = {
  displayName: 'profiler',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
