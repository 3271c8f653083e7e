import { TRPCError, initTRPC } from '@trpc/server';

/** What every procedure knows about its caller. */
export interface RpcContext {
  /** True when the request carried the shared control token. */
  authorized: boolean;
}

// initTRPC runs once, here; every app's router is built from these builders.
const t = initTRPC.context<RpcContext>().create();

export const router = t.router;
export const publicProcedure = t.procedure;
export const createCallerFactory = t.createCallerFactory;

/** Procedures that change something (control calls) need the shared control token. */
export const controlProcedure = t.procedure.use(({ ctx, next }) => {
  if (!ctx.authorized) {
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'control calls need the shared control token' });
  }
  return next({ ctx });
});
