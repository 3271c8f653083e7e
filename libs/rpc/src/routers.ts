import { router } from './trpc';
import { serviceProcedures } from './service.procedures';
import type { ServiceDeps } from './service.procedures';

// Each app's router lives here, not in the app, so that other apps can import its type
// (`import type`) without depending on the app. Each app grows its own procedures.

export type SchedulerRouterDeps = ServiceDeps;
export function createSchedulerRouter(deps: SchedulerRouterDeps) {
  return router({ ...serviceProcedures(deps) });
}
export type SchedulerRouter = ReturnType<typeof createSchedulerRouter>;

export type PostProcessorRouterDeps = ServiceDeps;
export function createPostProcessorRouter(deps: PostProcessorRouterDeps) {
  return router({ ...serviceProcedures(deps) });
}
export type PostProcessorRouter = ReturnType<typeof createPostProcessorRouter>;

export type HealthCheckerRouterDeps = ServiceDeps;
export function createHealthCheckerRouter(deps: HealthCheckerRouterDeps) {
  return router({ ...serviceProcedures(deps) });
}
export type HealthCheckerRouter = ReturnType<typeof createHealthCheckerRouter>;

export type GatewayRouterDeps = ServiceDeps;
export function createGatewayRouter(deps: GatewayRouterDeps) {
  return router({ ...serviceProcedures(deps) });
}
export type GatewayRouter = ReturnType<typeof createGatewayRouter>;
