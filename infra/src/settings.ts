// What an operator can choose at `cdk deploy -c name=value` (defaults in cdk.json), read once and
// checked, so a typo stops the synth naming the key instead of deploying something else.
import { z } from 'zod';

const list = z.union([z.array(z.string().min(1)), z.string().transform((s) => s.split(',').map((x) => x.trim()))]);

export const settingsSchema = z.object({
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as ap-northeast-1').default('ap-northeast-1'),
  /** Named, not looked up: synth stays offline, and the VPC spans three zones (seed 002). */
  availabilityZones: list.pipe(z.array(z.string().min(1)).length(3, 'must name three availability zones')),
  resourcePrefix: z.string().regex(/^[a-z0-9-]+-$/, 'must be lowercase letters, digits and dashes ending in -').default('manga-assist-'),
  /** A pushed image (`repo:tag`); unset: the repository's Dockerfile is built and pushed by `cdk deploy`. */
  image: z.string().min(1).optional(),
  /** `hnsw`: the index baked into the image; `opensearch` once the collection is loaded (catalog:index-opensearch). */
  vectorIndex: z.enum(['hnsw', 'opensearch']).default('hnsw'),
  /** An ACM certificate for HTTPS on the load balancer; without one it listens on HTTP only. */
  certificateArn: z.string().startsWith('arn:').optional(),
  /** Where alarms notify (an SNS topic is created; subscribe it to this address if given). */
  alarmEmail: z.email().optional(),
  /** The p99 answer time the latency alarm compares with (seconds; seed 004: p99 750-1000 ms). */
  p99BaselineSeconds: z.coerce.number().positive().default(0.9),
  /** Bedrock invocations in five minutes that count as a runaway (seed 003's cost breaker). */
  bedrockInvocationsPer5Min: z.coerce.number().int().positive().default(10_000),
  haikuModelId: z.string().min(1).default('anthropic.claude-3-5-haiku-20241022-v1:0'),
  sonnetModelId: z.string().min(1).default('anthropic.claude-3-5-sonnet-20241022-v2:0'),
  /** ElastiCache node size; the smallest that holds a replica and failover. */
  cacheNodeType: z.string().startsWith('cache.').default('cache.t4g.micro'),
  /** IAM principals that load the catalog into the collection (npm run catalog:index-opensearch). */
  catalogLoaders: list.pipe(z.array(z.string().startsWith('arn:aws'))).optional(),
  /**
   * Secrets Manager secrets (complete ARNs) holding each webhook source's signing secret, as the
   * publisher or Stripe issued it; a source without one stays disabled (its endpoint answers 404).
   */
  webhookSecretCatalog: z.string().startsWith('arn:aws').optional(),
  /**
   * An OIDC issuer of your own for the gateway's users (all three together); unset: the stack
   * creates a Cognito user pool and the gateway verifies its access tokens.
   */
  authIssuer: z.url().optional(),
  authJwksUrl: z.url().optional(),
  authAudience: z.string().min(1).optional(),
  webhookSecretReviews: z.string().startsWith('arn:aws').optional(),
  webhookSecretPayments: z.string().startsWith('arn:aws').optional(),
});
export type Settings = z.infer<typeof settingsSchema>;

/** The settings from CDK context values (`node.tryGetContext`), or an error naming the bad key. */
export function readSettings(context: (key: string) => unknown): Settings {
  const raw = Object.fromEntries(Object.keys(settingsSchema.shape).map((key) => [key, context(key)]).filter(([, v]) => v !== undefined));
  const parsed = settingsSchema
    .refine((v) => [v.authIssuer, v.authJwksUrl, v.authAudience].every((x) => x === undefined) || [v.authIssuer, v.authJwksUrl, v.authAudience].every((x) => x !== undefined), {
      path: ['authIssuer'],
      message: 'authIssuer, authJwksUrl and authAudience go together',
    })
    .safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`infra: context ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'is invalid'}`);
  }
  return parsed.data;
}
