export { controlProcedure, createCallerFactory, publicProcedure, router } from './trpc';
export type { RpcContext } from './trpc';
export { createContextFactory, tokenMatches } from './context';
export { LogLevelSchema, serviceProcedures } from './service.procedures';
export type { LogLevel, ServiceDeps } from './service.procedures';
export {
  createGatewayRouter,
  createHealthCheckerRouter,
  createPostProcessorRouter,
} from './routers';
export type {
  GatewayRouter,
  GatewayRouterDeps,
  HealthCheckerRouter,
  HealthCheckerRouterDeps,
  PostProcessorRouter,
  PostProcessorRouterDeps,
} from './routers';
export { RPC_PREFIX, serveRpc } from './serve-rpc';
export { createServiceClient } from './service-client';
export type { ServiceClientOptions } from './service-client';
export { createSchedulerRouter } from './scheduler.router';
export type { SchedulerRouter, SchedulerRouterDeps } from './scheduler.router';
