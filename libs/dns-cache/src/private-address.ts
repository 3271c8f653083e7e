import net from 'node:net';

/**
 * Why an address counts as private or not: the RFC 1918 blocks, the shared address space
 * (100.64/10, RFC 6598), link-local (169.254/16, fe80::/10), IPv6 unique-local (fc00::/7), a CIDR
 * given for one endpoint ("expected"), loopback (never private: not a VPC address) or public.
 */
export type AddressRange = 'rfc1918' | 'shared' | 'link-local' | 'unique-local' | 'expected' | 'loopback' | 'public';

export interface AddressClass {
  address: string;
  family: 4 | 6;
  /** True when the address is inside the VPC: a private range or one of the expected CIDRs. */
  private: boolean;
  range: AddressRange;
}

export interface Cidr {
  network: string;
  prefix: number;
  family: 4 | 6;
}

const PRIVATE_RANGES: readonly [string, AddressRange][] = [
  ['10.0.0.0/8', 'rfc1918'],
  ['172.16.0.0/12', 'rfc1918'],
  ['192.168.0.0/16', 'rfc1918'],
  ['100.64.0.0/10', 'shared'],
  ['169.254.0.0/16', 'link-local'],
  ['fe80::/10', 'link-local'],
  ['fc00::/7', 'unique-local'],
];
const LOOPBACK = ['127.0.0.0/8', '::1/128'];

/** Parses "10.0.0.0/8" or "fd00::/8"; throws with a message naming what is wrong. */
export function parseCidr(text: string): Cidr {
  const [network = '', prefixText, extra] = text.trim().split('/');
  const family = net.isIP(network);
  if (family === 0 || prefixText === undefined || extra !== undefined || !/^\d{1,3}$/.test(prefixText)) {
    throw new Error(`"${text}" is not a CIDR block like 10.0.0.0/16 or fd00::/8`);
  }
  const prefix = Number(prefixText);
  if (prefix > (family === 4 ? 32 : 128)) throw new Error(`"${text}" has a prefix longer than the address`);
  return { network, prefix, family: family as 4 | 6 };
}

export function isCidr(text: string): boolean {
  try {
    parseCidr(text);
    return true;
  } catch {
    return false;
  }
}

function blockList(cidrs: readonly string[]): net.BlockList {
  const list = new net.BlockList();
  for (const text of cidrs) {
    const { network, prefix, family } = parseCidr(text);
    list.addSubnet(network, prefix, family === 4 ? 'ipv4' : 'ipv6');
  }
  return list;
}

// Built once: classification runs on every fresh DNS answer.
const rangeLists: readonly [net.BlockList, AddressRange][] = PRIVATE_RANGES.map(([cidr, range]) => [blockList([cidr]), range]);
const loopbackList = blockList(LOOPBACK);

/** An IPv4-mapped IPv6 address (::ffff:10.0.0.1) is judged by the IPv4 address inside it. */
function unmap(address: string): string {
  const match = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return match?.[1] ?? address;
}

/** A classifier for one endpoint: the default private ranges plus that endpoint's expected CIDRs. */
export function createAddressClassifier(expectedCidrs: readonly string[] = []): (address: string) => AddressClass {
  const expected = blockList(expectedCidrs);
  return (raw) => {
    const address = unmap(raw);
    const version = net.isIP(address);
    if (version === 0) throw new Error(`"${raw}" is not an IP address`);
    const family = version as 4 | 6;
    const type = family === 4 ? 'ipv4' : 'ipv6';
    const result = (range: AddressRange, isPrivate: boolean): AddressClass => ({ address: raw, family, private: isPrivate, range });
    if (expected.check(address, type)) return result('expected', true);
    for (const [list, range] of rangeLists) if (list.check(address, type)) return result(range, true);
    if (loopbackList.check(address, type)) return result('loopback', false);
    return result('public', false);
  };
}

export function classifyAddress(address: string, expectedCidrs: readonly string[] = []): AddressClass {
  return createAddressClassifier(expectedCidrs)(address);
}
