import { classifyAddress, createAddressClassifier, isCidr, parseCidr } from './private-address';

describe('private address classification', () => {
  it.each([
    ['10.0.1.5', 'rfc1918'],
    ['172.16.0.1', 'rfc1918'],
    ['172.31.255.254', 'rfc1918'],
    ['192.168.10.20', 'rfc1918'],
    ['100.64.0.1', 'shared'],
    ['100.127.255.255', 'shared'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fd12:3456::1', 'unique-local'],
    ['::ffff:10.1.2.3', 'rfc1918'],
  ])('%s is private (%s)', (address, range) => {
    expect(classifyAddress(address)).toMatchObject({ address, private: true, range });
  });

  it.each([
    ['54.239.28.85', 'public'],
    ['172.32.0.1', 'public'],
    ['100.128.0.1', 'public'],
    ['2406:da14::1', 'public'],
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
  ])('%s is not private (%s)', (address, range) => {
    expect(classifyAddress(address)).toMatchObject({ private: false, range });
  });

  it('counts an endpoint’s expected CIDRs as private', () => {
    const classify = createAddressClassifier(['127.0.0.0/24', '2001:db8::/32']);
    expect(classify('127.0.0.9')).toMatchObject({ private: true, range: 'expected', family: 4 });
    expect(classify('127.0.1.1')).toMatchObject({ private: false, range: 'loopback' });
    expect(classify('2001:db8::5')).toMatchObject({ private: true, range: 'expected', family: 6 });
  });

  it('rejects what is not a CIDR block, saying so', () => {
    expect(parseCidr('10.0.0.0/16')).toEqual({ network: '10.0.0.0', prefix: 16, family: 4 });
    expect(isCidr('fd00::/8')).toBe(true);
    for (const bad of ['10.0.0.0', '10.0.0.0/33', 'vpc/8', '10.0.0.0/8/1', '::/129']) expect(isCidr(bad)).toBe(false);
    expect(() => createAddressClassifier(['10.0.0/8'])).toThrow('"10.0.0/8" is not a CIDR block');
    expect(() => classifyAddress('not-an-ip')).toThrow('"not-an-ip" is not an IP address');
  });
});
