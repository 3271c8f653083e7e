module.exports = {
  displayName: 'profiler',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  // The OTLP exporter loads node:http with import(), which Jest's CommonJS sandbox refuses
  // ("A dynamic import callback was invoked without --experimental-vm-modules",
  // open-telemetry/opentelemetry-js#6035); compiling that one package turns import() into require().
  transformIgnorePatterns: ['/node_modules/(?!@opentelemetry/otlp-exporter-base/)'],
};
