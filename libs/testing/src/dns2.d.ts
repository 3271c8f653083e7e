// The parts of dns2 (which ships no types) the tests use.
declare module 'dns2' {
  import type { AddressInfo } from 'node:net';
  import type { RemoteInfo } from 'node:dgram';

  export interface Question {
    name: string;
    type: number;
    class: number;
  }
  export interface Resource {
    name: string;
    type: number;
    class: number;
    ttl: number;
    address?: string;
  }
  export class Packet {
    header: { id: number; rcode: number };
    questions: Question[];
    answers: Resource[];
    static TYPE: { A: number; AAAA: number; [name: string]: number };
    static CLASS: { IN: number; [name: string]: number };
    static createResponseFromRequest(request: Packet): Packet;
  }
  export interface DnsServer {
    listen(options: { udp?: { port: number; address: string } }): Promise<{ udp?: AddressInfo }>;
    close(): Promise<void>;
  }
  export function createServer(options: {
    udp?: boolean;
    handle(request: Packet, send: (response: Packet) => void, rinfo: RemoteInfo): void;
  }): DnsServer;
}
