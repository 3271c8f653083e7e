export { JOB_SCHEMAS, QUEUES, QUEUE_NAMES, QUEUE_SETTINGS, jobIdFor } from './queues';
export type { JobData, QueueName } from './queues';
export { createJobProducer } from './job-producer';
export type { JobProducer, JobProducerOptions, ProducerLogger } from './job-producer';
export { createJobWorker } from './job-worker';
export type { JobHandler, JobWorkerOptions } from './job-worker';
export { bullConnection } from './connection';
