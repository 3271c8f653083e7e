import { createAddressClassifier } from './private-address';
import type { AddressClass } from './private-address';
import type { DnsAlertKind, PrivateHosts } from './create-dns-cache';

const normalize = (host: string) => host.toLowerCase().replace(/\.$/, '');

/** What an operator reads when a private host's resolver offers public addresses. */
export function alertMessage(kind: DnsAlertKind, host: string, kept: readonly string[], offered: readonly string[]): string {
  return kind === 'public-answer-without-private'
    ? `DNS for ${host} answers public ${offered.join(', ')} and no private address is on record: ` +
        'traffic goes through the NAT gateway, not the VPC endpoint'
    : `DNS for ${host} offers public ${offered.join(', ')} instead of its VPC endpoint; ` +
        `still using private ${kept.join(', ')} (check the VPC resolver and the endpoint's private DNS)`;
}

/** Per-host classifiers for private hosts (null for other hosts), built once per host. */
export function privateClassifiers(privateHosts: PrivateHosts | undefined): (host: string) => ((address: string) => AddressClass) | null {
  if (!privateHosts) return () => null;
  if (typeof privateHosts === 'function') {
    const predicate = privateHosts;
    const built = new Map<string, ((address: string) => AddressClass) | null>();
    return (host) => {
      const key = normalize(host);
      if (!built.has(key)) {
        const verdict = predicate(key);
        built.set(key, verdict === false ? null : createAddressClassifier(verdict === true ? [] : verdict));
      }
      return built.get(key) ?? null;
    };
  }
  // Built up front, so a bad CIDR stops the app at start rather than at the first lookup.
  const table = new Map([...privateHosts].map(([host, cidrs]) => [normalize(host), createAddressClassifier(cidrs)]));
  return (host) => table.get(normalize(host)) ?? null;
}
