import { bearerFromHeaders, tokenFromUpgrade } from './request-token';

describe('where a token is read from', () => {
  const url = (q = '') => new URL(`http://localhost/ws${q}`);
  it('prefers the Authorization header, then the bearer subprotocol, then access_token', () => {
    expect(tokenFromUpgrade({ authorization: 'Bearer h', 'sec-websocket-protocol': 'bearer, p' }, url('?access_token=q'))).toBe('h');
    expect(tokenFromUpgrade({ 'sec-websocket-protocol': 'bearer, p' }, url('?access_token=q'))).toBe('p');
    expect(tokenFromUpgrade({}, url('?access_token=q'))).toBe('q');
    expect(tokenFromUpgrade({ 'sec-websocket-protocol': 'chat' }, url())).toBeUndefined();
  });
  it('reads only the Bearer scheme', () => {
    expect(bearerFromHeaders({ authorization: 'Basic dXNlcjpwYXNz' })).toBeUndefined();
    expect(bearerFromHeaders({ authorization: 'bearer abc' })).toBe('abc');
    expect(bearerFromHeaders({ authorization: 'Bearer a b' })).toBeUndefined();
  });
});
