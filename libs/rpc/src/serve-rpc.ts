import { fastifyTRPCPlugin } from '@trpc/server/adapters/fastify';
import type { AnyTRPCRouter } from '@trpc/server';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import { createContextFactory } from './context';

export const RPC_PREFIX = '/trpc';

/** Serves a router over HTTP under /trpc on an app's Fastify server. */
export async function serveRpc<TRouter extends AnyTRPCRouter, TLogger extends FastifyBaseLogger>(
  // Any Fastify instance, whatever logger type it was created with.
  server: FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, TLogger>,
  appRouter: TRouter,
  controlToken: string,
  /** Another bearer token that may make control calls (an operator's), if any. */
  isOperator?: (token: string) => Promise<boolean>,
): Promise<void> {
  await server.register(fastifyTRPCPlugin, {
    prefix: RPC_PREFIX,
    trpcOptions: { router: appRouter, createContext: createContextFactory(controlToken, isOperator) },
  });
}
