// Preloaded into a benchmarked app (BENCH_NODE_OPTIONS="--require ./tools/bench/gc-trace.cjs"; node
// refuses --trace-gc in NODE_OPTIONS): prints one line per garbage collection, with its pause,
// bytes allocated, survived and promoted (--trace-gc-nvp). Keep it with BENCH_GATEWAY_OUTPUT=file.
const v8 = require('node:v8');

v8.setFlagsFromString('--trace-gc');
v8.setFlagsFromString('--trace-gc-nvp');
