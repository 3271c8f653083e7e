import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { clientIp, originAllowed } from './connection-gate';

/** An upgrade request as Node parses it, from the given address with the given headers. */
function upgrade(headers: Record<string, string>, remoteAddress = '10.0.0.5'): IncomingMessage {
  const socket = new Socket();
  Object.defineProperty(socket, 'remoteAddress', { value: remoteAddress });
  const request = new IncomingMessage(socket);
  request.headers = headers;
  return request;
}

describe('the WebSocket Origin rule', () => {
  it('lets in clients without an Origin and the gateway’s own pages', () => {
    expect(originAllowed(upgrade({ host: 'chat.example.jp' }), [])).toBe(true);
    expect(originAllowed(upgrade({ host: 'chat.example.jp', origin: 'https://chat.example.jp' }), [])).toBe(true);
    expect(originAllowed(upgrade({ host: '127.0.0.1:3000', origin: 'http://127.0.0.1:3000' }), [])).toBe(true);
  });

  it('refuses other sites unless listed (or *)', () => {
    expect(originAllowed(upgrade({ host: 'chat.example.jp', origin: 'https://evil.example' }), [])).toBe(false);
    expect(originAllowed(upgrade({ host: 'chat.example.jp', origin: 'https://chat.example.jp.evil.example' }), [])).toBe(false);
    expect(originAllowed(upgrade({ host: 'chat.example.jp', origin: 'null' }), [])).toBe(false);
    expect(originAllowed(upgrade({ host: 'chat.example.jp', origin: 'https://shop.example.jp' }), ['https://shop.example.jp'])).toBe(true);
    expect(originAllowed(upgrade({ host: 'chat.example.jp', origin: 'https://evil.example' }), ['*'])).toBe(true);
  });
});

describe('the client address', () => {
  it('is the socket’s own unless proxies are trusted', () => {
    expect(clientIp(upgrade({ 'x-forwarded-for': '1.2.3.4' }), 0)).toBe('10.0.0.5');
  });

  it('is the entry the nearest trusted proxy wrote; entries the client wrote are not believed', () => {
    // The client claims 6.6.6.6; the ALB appends the address it saw.
    expect(clientIp(upgrade({ 'x-forwarded-for': '6.6.6.6, 203.0.113.9' }), 1)).toBe('203.0.113.9');
    expect(clientIp(upgrade({ 'x-forwarded-for': '203.0.113.9, 10.1.1.1' }), 2)).toBe('203.0.113.9');
    expect(clientIp(upgrade({}), 1)).toBe('10.0.0.5');
  });
});
