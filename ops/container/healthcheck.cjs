// HEALTHCHECK of the image (and of the ECS task definition): GET /healthz of the app named by APP
// on its own port variable; exit 0 on 200, 1 otherwise.
'use strict';
const http = require('node:http');

const PORTS = {
  'chat-gateway': ['GATEWAY_PORT', 3000],
  'prefetch-scheduler': ['SCHEDULER_PORT', 3001],
  'post-processor': ['POST_PROCESSOR_PORT', 3002],
  'health-checker': ['HEALTH_CHECKER_PORT', 3003],
};
const [variable, fallback] = PORTS[process.env.APP] ?? ['', 0];
const port = Number(process.env[variable] || fallback);
const request = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: 4000 }, (response) => {
  response.resume();
  process.exit(response.statusCode === 200 ? 0 : 1);
});
request.on('timeout', () => request.destroy(new Error('timeout')));
request.on('error', () => process.exit(1));
