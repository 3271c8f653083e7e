import { CreateStreamCommand, DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient, StreamDescriptionSummary } from '@aws-sdk/client-kinesis';
import { describeEndpoint } from './client-endpoint';
import { EngineUnavailableError, classifyFailure, errorName } from './engine-error';
import type { EnsureOptions, EnsureResult } from './ensure-tables';
import { pollUntil } from './poll-until';
import type { StreamDefinition } from './stream-definitions';

/** Creates each stream that does not exist yet and waits until all are ACTIVE; safe to repeat. */
export async function ensureStreams(
  client: KinesisClient,
  definitions: readonly StreamDefinition[] | Readonly<Record<string, StreamDefinition>>,
  { log, timeoutMs = 120_000 }: EnsureOptions = {},
): Promise<EnsureResult[]> {
  return Promise.all(
    Object.values(definitions).map(async (definition): Promise<EnsureResult> => {
      const name = definition.StreamName;
      let created = false;
      if (!(await describe(client, name))) {
        try {
          await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: definition.ShardCount }));
          created = true;
          log?.info({ stream: name, shards: definition.ShardCount }, 'created Kinesis stream');
        } catch (error) {
          // Another process created it between our describe and create.
          if (errorName(error) !== 'ResourceInUseException') throw await wrap(client, name, error);
        }
      }
      await pollUntil(() => describe(client, name), (s) => s?.StreamStatus === 'ACTIVE', {
        timeoutMs,
        what: `Kinesis stream ${name} to become ACTIVE`,
      });
      return { name, created };
    }),
  );
}

async function describe(client: KinesisClient, name: string): Promise<StreamDescriptionSummary | undefined> {
  try {
    return (await client.send(new DescribeStreamSummaryCommand({ StreamName: name }))).StreamDescriptionSummary;
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') return undefined;
    throw await wrap(client, name, error);
  }
}

async function wrap(client: KinesisClient, name: string, error: unknown): Promise<EngineUnavailableError> {
  return new EngineUnavailableError({
    service: 'Kinesis',
    resource: `stream ${name}`,
    endpoint: await describeEndpoint(client),
    failure: classifyFailure(error),
    cause: error,
  });
}
