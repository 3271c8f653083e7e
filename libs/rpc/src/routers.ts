import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { DownstreamStateSchema, ModelFaultPlansSchema, ProfileReportSchema } from '@manga-assist/contracts';
import type { DownstreamStateReport, ModelFaultPlans, ProfileReport } from '@manga-assist/contracts';
import { EndpointHistorySchema, HealthReportSchema, HistoryQuerySchema } from '@manga-assist/contracts';
import type { EndpointHistory, HealthReport, HistoryQuery } from '@manga-assist/contracts';
import {
  DeadLetterCountsSchema,
  DeadLetterListInputSchema,
  DeadLetterPageSchema,
  DeadLetterPurgeInputSchema,
  DeadLetterPurgeResultSchema,
  DeadLetterRetryInputSchema,
  DeadLetterRetryResultSchema,
} from '@manga-assist/contracts';
import type {
  DeadLetterCounts,
  DeadLetterListInput,
  DeadLetterPage,
  DeadLetterPurgeInput,
  DeadLetterPurgeResult,
  DeadLetterRetryResult,
} from '@manga-assist/contracts';
import { controlProcedure, publicProcedure, router } from './trpc';
import { serviceProcedures } from './service.procedures';
import type { ServiceDeps } from './service.procedures';

// Each app's router lives here, not in the app, so that other apps can import its type
// (`import type`) without depending on the app. Each app grows its own procedures.

/** What the post-processor's router needs besides the shared service procedures. */
export interface PostProcessorRouterDeps extends ServiceDeps {
  deadLetters: {
    counts(): Promise<DeadLetterCounts>;
    list(input: DeadLetterListInput): Promise<DeadLetterPage>;
    retry(ids: string[]): Promise<DeadLetterRetryResult>;
    purge(input: DeadLetterPurgeInput): Promise<DeadLetterPurgeResult>;
  };
}
export function createPostProcessorRouter(deps: PostProcessorRouterDeps) {
  const { deadLetters } = deps;
  return router({
    ...serviceProcedures(deps),
    deadLetters: router({
      // Counts carry no user data: anyone may read them (ops page, dashboards).
      counts: publicProcedure.output(DeadLetterCountsSchema).query(() => deadLetters.counts()),
      // Payloads hold users' questions and answers: listing them is a control call.
      list: controlProcedure
        .input(DeadLetterListInputSchema)
        .output(DeadLetterPageSchema)
        .query(({ input }) => deadLetters.list(input)),
      retry: controlProcedure
        .input(DeadLetterRetryInputSchema)
        .output(DeadLetterRetryResultSchema)
        .mutation(({ input }) => deadLetters.retry(input.ids)),
      purge: controlProcedure
        .input(DeadLetterPurgeInputSchema)
        .output(DeadLetterPurgeResultSchema)
        .mutation(({ input }) => deadLetters.purge(input)),
    }),
  });
}
export type PostProcessorRouter = ReturnType<typeof createPostProcessorRouter>;

export interface HealthCheckerRouterDeps extends ServiceDeps {
  /** The latest probe round; null before the first one has finished. */
  report(): HealthReport | null;
  /** Recent results and transitions of one endpoint; null for an endpoint it does not probe. */
  history(query: HistoryQuery): EndpointHistory | null;
  /** Runs a probe round now (or joins the one running). */
  probeNow(): Promise<HealthReport>;
}
export function createHealthCheckerRouter(deps: HealthCheckerRouterDeps) {
  return router({
    ...serviceProcedures(deps),
    report: publicProcedure.output(HealthReportSchema.nullable()).query(() => deps.report()),
    history: publicProcedure
      .input(HistoryQuerySchema)
      .output(EndpointHistorySchema)
      .query(({ input }) => {
        const history = deps.history(input);
        if (!history) throw new TRPCError({ code: 'NOT_FOUND', message: `no endpoint named "${input.endpoint}" is probed` });
        return history;
      }),
    probeNow: controlProcedure.output(HealthReportSchema).mutation(() => deps.probeNow()),
  });
}
export type HealthCheckerRouter = ReturnType<typeof createHealthCheckerRouter>;

export interface GatewayRouterDeps extends ServiceDeps {
  /** Per-segment p50/p95/p99 over the profiler's window, each against its budget. */
  profile(): ProfileReport;
  /** Breaker and bulkhead of every guarded downstream. */
  downstreams(): DownstreamStateReport[];
  /** Sets the local model provider's injected faults; false when the provider is not the local one. */
  setModelFaults(plans: ModelFaultPlans): boolean;
}
export function createGatewayRouter(deps: GatewayRouterDeps) {
  return router({
    ...serviceProcedures(deps),
    profile: publicProcedure.output(ProfileReportSchema).query(() => deps.profile()),
    downstreams: publicProcedure.output(z.array(DownstreamStateSchema)).query(() => deps.downstreams()),
    // Drills: make the local model fail on purpose (breakers, fallbacks). A control call.
    setModelFaults: controlProcedure
      .input(ModelFaultPlansSchema)
      .output(z.object({ applied: z.boolean() }))
      .mutation(({ input }) => {
        const applied = deps.setModelFaults(input);
        if (!applied) throw new TRPCError({ code: 'PRECONDITION_FAILED', message: 'faults can be injected into the local model provider only' });
        return { applied };
      }),
  });
}
export type GatewayRouter = ReturnType<typeof createGatewayRouter>;
