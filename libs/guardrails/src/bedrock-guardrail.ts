import { ApplyGuardrailCommand, BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { GuardrailAssessment } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { LOCAL_CREDENTIALS } from '@manga-assist/config';

/** What a Bedrock guardrail said of one answer. */
export interface RemoteAssessment {
  /** The guardrail blocked or masked something (`GUARDRAIL_INTERVENED`). */
  intervened: boolean;
  /** The text to show instead when it intervened: its blocked message, or the answer with masks. */
  output: string | null;
  /** The policies that acted (`contentPolicy`, `sensitiveInformationPolicy`, …), for logs and metrics. */
  policies: string[];
}

/** A managed guardrail, run after the in-process tiers. */
export interface RemoteGuardrail {
  /** Assesses a model's answer (source OUTPUT). Rejects when the guardrail cannot be reached. */
  assess(answer: string): Promise<RemoteAssessment>;
  close(): void;
}

export interface BedrockGuardrailOptions {
  region: string;
  guardrailId: string;
  /** A published version ("1", "2", …) or "DRAFT". */
  guardrailVersion: string;
  /** A stand-in or private endpoint; production leaves it out. */
  endpoint?: string;
  /** Static local credentials for a stand-in endpoint, instead of the default provider chain. */
  localCredentials?: boolean;
  /** Connect plus response time allowed to one call. */
  timeoutMs: number;
  /** The HTTP/1.1 handler (a shared keep-alive pool's); the client's own by default. */
  requestHandler?: NodeHttpHandler;
}

const POLICIES = ['topicPolicy', 'contentPolicy', 'wordPolicy', 'sensitiveInformationPolicy', 'contextualGroundingPolicy', 'automatedReasoningPolicy'] as const;

/** The policies of the assessments that hold anything the guardrail acted on. */
function actingPolicies(assessments: GuardrailAssessment[] = []): string[] {
  const found = new Set<string>();
  for (const assessment of assessments) {
    for (const policy of POLICIES) {
      const value = assessment[policy] as Record<string, unknown> | undefined;
      if (value && Object.values(value).some((list) => Array.isArray(list) && list.some((item: { action?: string }) => item.action !== 'NONE'))) {
        found.add(policy);
      }
    }
  }
  return [...found];
}

/** Bedrock's ApplyGuardrail through the real SDK: one call per answer, one attempt (the job retries). */
export function createBedrockGuardrail(options: BedrockGuardrailOptions): RemoteGuardrail {
  const client = new BedrockRuntimeClient({
    region: options.region,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.localCredentials ? { credentials: LOCAL_CREDENTIALS } : {}),
    maxAttempts: 1,
    // HTTP/1.1: the SDK's HTTP/2 default is refused by proxies and stand-ins.
    requestHandler: options.requestHandler ?? new NodeHttpHandler({ connectionTimeout: options.timeoutMs, requestTimeout: options.timeoutMs }),
  });
  return {
    async assess(answer) {
      const response = await client.send(
        new ApplyGuardrailCommand({
          guardrailIdentifier: options.guardrailId,
          guardrailVersion: options.guardrailVersion,
          source: 'OUTPUT',
          content: [{ text: { text: answer } }],
        }),
        { abortSignal: AbortSignal.timeout(options.timeoutMs) },
      );
      const intervened = response.action === 'GUARDRAIL_INTERVENED';
      const output = (response.outputs ?? []).map((o) => o.text ?? '').join('');
      return { intervened, output: intervened ? output || null : null, policies: intervened ? actingPolicies(response.assessments) : [] };
    },
    close: () => client.destroy(),
  };
}
