export { createDnsCache } from './create-dns-cache';
export type {
  AnswerSource,
  CachedAnswer,
  DnsAlert,
  DnsAlertKind,
  DnsCache,
  DnsCacheLogger,
  DnsCacheOptions,
  DnsCacheStats,
  HostStats,
  PrivateHosts,
} from './create-dns-cache';
export { classifyAddress, createAddressClassifier, isCidr, parseCidr } from './private-address';
export type { AddressClass, AddressRange, Cidr } from './private-address';
