import type { ModelProfile } from '@manga-assist/contracts';
import type { ModelProviderName } from './model-provider';

export type ModelStreamErrorCode = 'throttled' | 'timeout' | 'unavailable' | 'interrupted' | 'bad_request' | 'upstream';

const RETRYABLE: Record<ModelStreamErrorCode, boolean> = {
  throttled: true,
  timeout: true,
  unavailable: true,
  interrupted: true,
  bad_request: false,
  upstream: false,
};

export interface ModelStreamErrorFields {
  code: ModelStreamErrorCode;
  message: string;
  provider: ModelProviderName;
  profile: ModelProfile;
  tokensSent: number;
  /** Defaults by code: throttled, timeout, unavailable and interrupted are worth another attempt. */
  retryable?: boolean;
  cause?: unknown;
}

/**
 * A model call that failed before `end`. `retryable` says whether the same request may succeed if
 * sent again; `tokensSent` says whether the user has already seen part of this answer (a retry
 * after tokens were sent is visible to them).
 */
export class ModelStreamError extends Error {
  override readonly name = 'ModelStreamError';
  readonly code: ModelStreamErrorCode;
  readonly retryable: boolean;
  readonly provider: ModelProviderName;
  readonly profile: ModelProfile;
  readonly tokensSent: number;

  constructor(fields: ModelStreamErrorFields) {
    super(`${fields.provider}/${fields.profile}: ${fields.code}: ${fields.message}`, { cause: fields.cause });
    this.code = fields.code;
    this.retryable = fields.retryable ?? RETRYABLE[fields.code];
    this.provider = fields.provider;
    this.profile = fields.profile;
    this.tokensSent = fields.tokensSent;
  }
}
