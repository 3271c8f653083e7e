export * from './catalog.schema';
export * from './chat.schema';
export * from './service-status.schema';
export * from './jobs.schema';
