export { ConfigError, loadConfig } from './load-config';
export type { ConfigIssue } from './load-config';
export { controlToken, flag, httpUrl, logLevel, port, positiveInt, redisUrl } from './fields';
