module.exports = {
  displayName: 'probes',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
