import type { Classification, ModelProfile } from '@manga-assist/contracts';

export interface RouteModelOptions {
  /** False while Sonnet's breaker is open or its bulkhead is full: complex requests go to Haiku. */
  sonnetAvailable?: boolean;
}

/**
 * Simple requests go to Haiku (fast, cheap); complex ones (comparisons, analysis, long multi-part
 * questions, as the classifier judged them) to Sonnet. A comparison is complex even if the
 * classifier called it simple: it weighs several products field by field.
 */
export function routeModel(c: Pick<Classification, 'intent' | 'complexity'>, opts: RouteModelOptions = {}): ModelProfile {
  const complex = c.complexity === 'complex' || c.intent === 'comparison';
  return complex && opts.sonnetAvailable !== false ? 'sonnet' : 'haiku';
}
