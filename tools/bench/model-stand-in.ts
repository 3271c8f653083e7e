// The stand-in model server as its own process, so that the benchmarks' load generator and the
// model never share an event loop: OpenAI-compatible streaming and Bedrock ConverseStream with a
// fixed first-token delay and per-token pace (libs/testing startModelStandIn).
// Run: tsx --tsconfig tools/tsconfig.json tools/bench/model-stand-in.ts
// Variables: STAND_IN_FIRST_TOKEN_MS (100), STAND_IN_TOKEN_MS (1), STAND_IN_TOKENS (30), STAND_IN_PORT (0: a free one).
// Prints "listening <url>" once ready.
import { loadConfig, nonNegativeInt, positiveInt } from '@manga-assist/config';
import { startModelStandIn } from '@manga-assist/testing';
import { z } from 'zod';

const schema = z.object({
  STAND_IN_FIRST_TOKEN_MS: nonNegativeInt(100),
  STAND_IN_TOKEN_MS: nonNegativeInt(1),
  STAND_IN_TOKENS: positiveInt(30),
  STAND_IN_PORT: nonNegativeInt(0),
});

async function main() {
  const config = loadConfig(schema);
  const standIn = await startModelStandIn({
    firstTokenMs: config.STAND_IN_FIRST_TOKEN_MS,
    perTokenMs: config.STAND_IN_TOKEN_MS,
    tokens: config.STAND_IN_TOKENS,
    port: config.STAND_IN_PORT,
  });
  console.log(`listening ${standIn.url}`);
  const stop = () => void standIn.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
