// Cost of prompt assembly for a typical request (20-turn session, summary, 6 retrieved products).
// Run: npx tsx libs/fm/bench/assemble-prompt.bench.ts
import { assemblePrompt } from '../src/assemble-prompt';
import { history } from '../test/support/history';
import { PRODUCTS } from '../test/support/products';

const input = {
  userText: '来月発売の少年漫画の新刊を教えてください',
  intent: 'new_releases' as const,
  history: history(20),
  summary: 'The user likes finished shonen series and asked about Frieren twice.',
  products: PRODUCTS,
};

const WARMUP = 20_000;
const BATCHES = 50;
const PER_BATCH = 2_000;

for (let i = 0; i < WARMUP; i++) assemblePrompt(input);
const perCall: number[] = [];
for (let b = 0; b < BATCHES; b++) {
  const started = process.hrtime.bigint();
  for (let i = 0; i < PER_BATCH; i++) assemblePrompt(input);
  perCall.push(Number(process.hrtime.bigint() - started) / PER_BATCH / 1_000);
}
perCall.sort((a, b) => a - b);
const pick = (q: number) => (perCall[Math.min(perCall.length - 1, Math.floor(q * perCall.length))] as number).toFixed(2);
const sample = assemblePrompt(input);
console.log(
  `assemblePrompt: median ${pick(0.5)} µs, p95 ${pick(0.95)} µs per call ` +
    `(${BATCHES}×${PER_BATCH} calls; ${sample.messages.length} messages, ${sample.bytes} bytes sent)`,
);
