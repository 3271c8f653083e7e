export { createReadiness } from './readiness';
export type { Readiness, ReadinessCheck, ReadinessOptions } from './readiness';
export { createServiceServer } from './service-server';
export type { AppServer, ServiceServer, ServiceServerOptions } from './service-server';
export { installShutdown } from './shutdown';
export type { ShutdownStep } from './shutdown';
export { startService } from './start-service';
export type { RunningService, StartServiceOptions } from './start-service';
