export * from './service-status.schema';
