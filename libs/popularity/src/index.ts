export { createTrendingStore } from './trending-store';
export type { TrendingStore } from './trending-store';
export { createAskedCounters } from './asked-counters';
export type { AskedCounters } from './asked-counters';
