// dns2 ships no type declarations; ./dns2.d.ts declares the part the tests use.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./dns2.d.ts" />
import { Packet, createServer } from 'dns2';

export type AnswerMode = 'answer' | 'drop' | 'servfail' | 'nxdomain';

export interface HostAnswer {
  a?: string[];
  aaaa?: string[];
  ttl?: number;
  delayMs?: number;
  mode?: AnswerMode;
}

export interface TestDnsServer {
  /** "127.0.0.1:PORT", for Resolver#setServers. */
  address: string;
  answer(host: string, answer: HostAnswer): void;
  /** Every question received, in order. */
  queries: { name: string; type: 'A' | 'AAAA' | 'other' }[];
  stop(): Promise<void>;
}

/** A DNS server on 127.0.0.1 (random UDP port) answering what the test tells it to; unknown names get NXDOMAIN. */
export async function startTestDnsServer(): Promise<TestDnsServer> {
  const answers = new Map<string, HostAnswer>();
  const queries: TestDnsServer['queries'] = [];
  const server = createServer({
    udp: true,
    handle(request, send) {
      const response = Packet.createResponseFromRequest(request);
      const question = request.questions[0];
      if (!question) return;
      const type = question.type === Packet.TYPE.A ? 'A' : question.type === Packet.TYPE.AAAA ? 'AAAA' : 'other';
      queries.push({ name: question.name, type });
      const answer = answers.get(question.name.toLowerCase());
      const mode = answer?.mode ?? (answer ? 'answer' : 'nxdomain');
      if (mode === 'drop') return;
      if (mode === 'servfail') response.header.rcode = 2;
      if (mode === 'nxdomain') response.header.rcode = 3;
      if (mode === 'answer' && answer) {
        const list = type === 'A' ? answer.a : type === 'AAAA' ? answer.aaaa : undefined;
        for (const address of list ?? []) {
          response.answers.push({ name: question.name, type: question.type, class: Packet.CLASS.IN, ttl: answer.ttl ?? 300, address });
        }
      }
      const delay = answer?.delayMs ?? 0;
      if (delay > 0) setTimeout(() => send(response), delay);
      else send(response);
    },
  });
  const { udp } = await server.listen({ udp: { port: 0, address: '127.0.0.1' } });
  if (!udp) throw new Error('test DNS server: no UDP address');
  let stopped: Promise<void> | undefined;
  return {
    address: `127.0.0.1:${udp.port}`,
    answer: (host, answer) => void answers.set(host.toLowerCase(), answer),
    queries,
    stop: () => (stopped ??= server.close()),
  };
}
