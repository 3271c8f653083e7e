import { createTRPCClient, httpBatchLink } from '@trpc/client';
import type { HTTPBatchLinkOptions, TRPCClient } from '@trpc/client';
import type { AnyTRPCRouter } from '@trpc/server';
import { RPC_PREFIX } from './serve-rpc';

export interface ServiceClientOptions {
  /** Base URL of the app, e.g. http://127.0.0.1:3001. */
  baseUrl: string;
  /** Sent as a bearer token; needed only for control calls. */
  controlToken?: string;
  /** Each call gives up after this long, so one stuck app cannot stall the caller. */
  timeoutMs?: number;
}

/** A typed client for another app's router: `createServiceClient<SchedulerRouter>({...})`. */
export function createServiceClient<TRouter extends AnyTRPCRouter>({
  baseUrl,
  controlToken,
  timeoutMs = 2000,
}: ServiceClientOptions): TRPCClient<TRouter> {
  return createTRPCClient<TRouter>({
    links: [
      httpBatchLink({
        url: new URL(RPC_PREFIX, baseUrl).toString(),
        headers: (): Record<string, string> => (controlToken ? { authorization: `Bearer ${controlToken}` } : {}),
        fetch: (url: string | URL, init?: RequestInit) =>
          fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) }),
        // The routers use no transformer; the generic router type cannot show that on its own.
      } as unknown as HTTPBatchLinkOptions<TRouter['_def']['_config']['$types']>),
    ],
  });
}
