import type { ChatTurn, Intent, ProductSummary } from '@manga-assist/contracts';
import type { ModelGrounding, ModelMessage } from './model-provider';

export interface AssemblePromptInput {
  userText: string;
  intent: Intent;
  /** The session's turns, oldest first. */
  history: ChatTurn[];
  /** Rolling summary of the turns older than the ones kept. */
  summary?: string;
  /** Retrieved products, best first. */
  products: ProductSummary[];
  maxHistoryTurns?: number;
  maxProducts?: number;
}

export interface AssembledPrompt {
  system: string;
  messages: ModelMessage[];
  grounding: ModelGrounding;
  /** UTF-8 size of everything sent to the model (system and messages). */
  bytes: number;
}

const INSTRUCTIONS =
  "You are the assistant of a Japanese manga store. Reply concisely, in the user's language.\n" +
  'Answer only from the products listed below; if they do not answer the question, say so. ' +
  'Never invent titles, creators, prices, stock or release dates. Prices are in JPY.\n' +
  'You cannot see orders or payments; for those, point the user to their order history or customer support.\n';

const PRODUCT_HEADER = 'Products (id | title | creator | price JPY | stock | demographic | next volume):\n';
const NO_PRODUCTS = 'Products: none found for this request.';

/**
 * Builds what the model is sent: a short system prompt with the summary and the top products (one
 * compact line each, only the fields the answer may use) and the last few turns as messages. It is on
 * the critical path of every uncached answer, so it is plain string building, no templates or JSON.
 */
export function assemblePrompt(input: AssemblePromptInput): AssembledPrompt {
  const maxTurns = input.maxHistoryTurns ?? 5;
  const maxProducts = input.maxProducts ?? 5;
  const products = input.products.length > maxProducts ? input.products.slice(0, maxProducts) : input.products;
  const summary = input.summary !== undefined && input.summary.trim() !== '' ? input.summary : undefined;

  let system = `${INSTRUCTIONS}Intent: ${input.intent}\n`;
  if (summary !== undefined) system += `Earlier in this conversation: ${oneLine(summary)}\n`;
  if (products.length === 0) {
    system += NO_PRODUCTS;
  } else {
    system += PRODUCT_HEADER;
    for (let i = 0; i < products.length; i++) system += (i > 0 ? '\n' : '') + productLine(products[i] as ProductSummary);
  }

  const turns = lastTurns(input.history, maxTurns);
  const messages: ModelMessage[] = [];
  let bytes = Buffer.byteLength(system, 'utf8');
  for (const turn of turns) {
    messages.push({ role: 'user', text: turn.user }, { role: 'assistant', text: turn.assistant });
    bytes += Buffer.byteLength(turn.user, 'utf8') + Buffer.byteLength(turn.assistant, 'utf8');
  }
  messages.push({ role: 'user', text: input.userText });
  bytes += Buffer.byteLength(input.userText, 'utf8');

  return {
    system,
    messages,
    grounding: { userText: input.userText, intent: input.intent, products, summary, historyTurns: turns.length },
    bytes,
  };
}

/**
 * The last `max` complete turns. Turns with an empty side are skipped: the model APIs reject empty
 * messages and need user/assistant to alternate. Older turns live on only in the summary.
 */
function lastTurns(history: ChatTurn[], max: number): ChatTurn[] {
  const kept: ChatTurn[] = [];
  const ordered = isOrdered(history) ? history : [...history].sort((a, b) => a.seq - b.seq);
  for (let i = ordered.length - 1; i >= 0 && kept.length < max; i--) {
    const turn = ordered[i] as ChatTurn;
    if (turn.user.trim() !== '' && turn.assistant.trim() !== '') kept.push(turn);
  }
  return kept.reverse();
}

function isOrdered(history: ChatTurn[]): boolean {
  for (let i = 1; i < history.length; i++) if ((history[i] as ChatTurn).seq < (history[i - 1] as ChatTurn).seq) return false;
  return true;
}

function productLine(p: ProductSummary): string {
  return (
    `${oneLine(p.id)} | ${oneLine(p.title)} | ${p.creator === null ? '-' : oneLine(p.creator)} | ${p.priceJpy} | ` +
    `${p.inStock ? 'in stock' : 'out of stock'} | ${p.demographic ?? '-'} | ${p.nextVolumeDate ?? '-'}`
  );
}

// Catalog text is data: a line break in it must not start a new line of instructions.
const LINE_BREAK = /[\r\n\u2028\u2029]/;
const LINE_BREAKS = /[\r\n\u2028\u2029]+/g;
function oneLine(text: string): string {
  return LINE_BREAK.test(text) ? text.replace(LINE_BREAKS, ' ') : text;
}
