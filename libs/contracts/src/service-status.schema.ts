import { z } from 'zod';

/** The four apps, by the name they log, label metrics with and answer to on the ops page. */
export const APP_NAMES = ['chat-gateway', 'prefetch-scheduler', 'post-processor', 'health-checker'] as const;
export const AppNameSchema = z.enum(APP_NAMES);
export type AppName = z.infer<typeof AppNameSchema>;

/** Default HTTP port of each app (each overridable through its own variable). */
export const DEFAULT_PORTS: Readonly<Record<AppName, number>> = {
  'chat-gateway': 3000,
  'prefetch-scheduler': 3001,
  'post-processor': 3002,
  'health-checker': 3003,
};

/** The latest result of one readiness check (a dependency connected and warm, or why not). */
export const DependencyCheckSchema = z.object({
  name: z.string(),
  ok: z.boolean(),
  /** How long the last check took. */
  latencyMs: z.number().nonnegative().nullable(),
  /** Why it is not ok, in words an operator acts on; null when ok. */
  detail: z.string().nullable(),
  checkedAt: z.iso.datetime().nullable(),
});
export type DependencyCheck = z.infer<typeof DependencyCheckSchema>;

/** What /readyz and each app's tRPC `status` report. */
export const ServiceStatusSchema = z.object({
  app: AppNameSchema,
  version: z.string(),
  ready: z.boolean(),
  /** First failing check, e.g. "redis: connect ECONNREFUSED 127.0.0.1:6379"; null when ready. */
  reason: z.string().nullable(),
  /**
   * Dependencies the app is answering without, e.g. "redis: …" while the response cache is passed
   * through: still ready (200), but an operator should know.
   */
  degraded: z.array(z.string()).default([]),
  uptimeSeconds: z.number().nonnegative(),
  pid: z.number().int(),
  checks: z.array(DependencyCheckSchema),
});
export type ServiceStatus = z.infer<typeof ServiceStatusSchema>;

/** One app as seen from the gateway's ops endpoint. */
export const AppStatusEntrySchema = z.object({
  app: AppNameSchema,
  url: z.string(),
  reachable: z.boolean(),
  status: ServiceStatusSchema.nullable(),
  error: z.string().nullable(),
});
export type AppStatusEntry = z.infer<typeof AppStatusEntrySchema>;

/** GET /v1/ops/status: every app's status, gathered by the gateway. */
export const OpsStatusSchema = z.object({
  ready: z.boolean(),
  checkedAt: z.iso.datetime(),
  apps: z.array(AppStatusEntrySchema),
  /** Gateway instances beating in the connection registry and the chat connections they hold (absent when Redis does not answer). */
  gateways: z.object({ instances: z.number().int().nonnegative(), connections: z.number().int().nonnegative() }).optional(),
});
export type OpsStatus = z.infer<typeof OpsStatusSchema>;

/** Version every app reports in its status. */
export const PRODUCT_VERSION = '0.1.0';
