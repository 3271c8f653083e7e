module.exports = {
  displayName: 'post-processor',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  // The queue board's @fastify/static requires content-disposition 3, published as ES modules only:
  // compiled to CommonJS like our own code, so the app can run inside a test.
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
};
