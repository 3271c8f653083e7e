import type { EndpointHistory, EndpointResult, StatusTransition } from '@manga-assist/contracts';
import { Ring } from './ring';

export interface ProbeHistory {
  /** Records a result; returns the transition when the endpoint's status changed (or it is the first result). */
  record(result: EndpointResult): StatusTransition | null;
  latest(endpoint: string): EndpointResult | undefined;
  /** Newest first; null for an endpoint never probed. */
  history(endpoint: string, limit: number): EndpointHistory | null;
}

/** A ring of recent results per endpoint, and the status transitions between them. */
export function createProbeHistory({ capacity }: { capacity: number }): ProbeHistory {
  const results = new Map<string, Ring<EndpointResult>>();
  const transitions = new Map<string, Ring<StatusTransition>>();

  return {
    record(result) {
      let ring = results.get(result.endpoint);
      if (!ring) {
        ring = new Ring(capacity);
        results.set(result.endpoint, ring);
        transitions.set(result.endpoint, new Ring(capacity));
      }
      const previous = ring.newest(1)[0];
      ring.push(result);
      if (previous?.status === result.status) return null;
      const transition: StatusTransition = {
        endpoint: result.endpoint,
        at: result.checkedAt,
        from: previous?.status ?? null,
        to: result.status,
        notes: result.notes,
      };
      transitions.get(result.endpoint)?.push(transition);
      return transition;
    },
    latest: (endpoint) => results.get(endpoint)?.newest(1)[0],
    history(endpoint, limit) {
      const ring = results.get(endpoint);
      if (!ring) return null;
      return {
        endpoint,
        capacity,
        results: ring.newest(limit),
        transitions: transitions.get(endpoint)?.newest(limit) ?? [],
      };
    },
  };
}
