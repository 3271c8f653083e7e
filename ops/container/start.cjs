// The image's entry point: runs the app named by APP in this same process, so node is the process
// that receives SIGTERM from the container runtime and the app's own shutdown runs.
'use strict';
const path = require('node:path');

const APPS = ['chat-gateway', 'prefetch-scheduler', 'post-processor', 'health-checker'];
const app = process.env.APP;
if (!APPS.includes(app)) {
  process.stderr.write(`container: Invalid configuration: APP must be one of ${APPS.join(', ')} (got ${JSON.stringify(app ?? '')})\n`);
  process.exit(78);
}
require(path.join(__dirname, 'dist', 'apps', app, 'main.js'));
