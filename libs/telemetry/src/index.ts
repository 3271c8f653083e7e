export { createLogger } from './logger';
export type { Logger, LoggerOptions } from './logger';
export { Counter, Gauge, Histogram, Registry, Summary, createMetricsRegistry } from './metrics';
