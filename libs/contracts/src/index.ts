export * from './catalog.schema';
export * from './chat.schema';
export * from './service-status.schema';
export * from './jobs.schema';
export * from './health.schema';
export * from './dead-letter.schema';
export * from './scheduler.schema';
export * from './profile.schema';
