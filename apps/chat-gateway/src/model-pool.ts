import type { PoolSettings } from '@manga-assist/pools';
import { resolveDownstreamSettings } from '@manga-assist/resilience';
import type { DownstreamSettingsOverrides } from '@manga-assist/resilience';

/**
 * The model pool's size: one socket for every model call the bulkheads let run at once (Haiku's
 * and Sonnet's, which share one endpoint). A streamed answer holds its socket until its last token,
 * so a smaller pool would queue streams the bulkheads had already admitted.
 */
export function modelPoolSettings(overrides: DownstreamSettingsOverrides): Partial<PoolSettings> {
  const haiku = resolveDownstreamSettings('haiku', overrides.haiku).bulkhead.limit;
  const sonnet = resolveDownstreamSettings('sonnet', overrides.sonnet).bulkhead.limit;
  return { maxSockets: haiku + sonnet };
}
