import type { Finding } from './guardrail.types';

// Phrases of a prompt-injection attempt, or of a model that has fallen for one.
export const INJECTION_PHRASES: readonly RegExp[] = [
  /\b(?:ignore|disregard|forget)\s+(?:all\s+|any\s+)?(?:the\s+|your\s+)?(?:previous|prior|above|earlier)\s+(?:instructions|prompts?|rules)\b/gi,
  /\b(?:my|the)\s+system\s+prompt\s+(?:is|says|reads)\b|\bhere\s+(?:is|are)\s+my\s+(?:system\s+)?(?:prompt|instructions)\b/gi,
  /\byou\s+are\s+now\s+(?:DAN|in\s+developer\s+mode)\b|\bdeveloper\s+mode\s+(?:enabled|activated)\b/gi,
  /<\|im_start\|>|<\|system\|>|\[INST\]|<<SYS>>/g,
  /(?:以前|前|上記|これまで)の(?:指示|命令|プロンプト|ルール)を(?:すべて|全て)?(?:無視|忘れ)/g,
  /システムプロンプト(?:は|を|：|:)/g,
];

// Weaker signs: a model talking about its own instructions. Harmless on their own.
const SELF_REFERENCE: readonly RegExp[] = [
  /\b(?:my|the)\s+(?:instructions|guidelines)\s+(?:are|say|tell)\b/gi,
  /\bI\s+(?:was|am|have\s+been)\s+(?:told|instructed|programmed)\s+to\b/gi,
  /(?:私|わたし)(?:への|の)(?:指示|命令)(?:は|では)/g,
];

function matches(text: string, patterns: readonly RegExp[]) {
  return patterns.flatMap((p) => [...text.matchAll(p)].map((m) => ({ start: m.index, end: m.index + m[0].length, value: m[0] })));
}

/** The injection phrases in a question (what the user tried), for the closer look. */
export function injectionAttempts(question: string): string[] {
  return matches(question, INJECTION_PHRASES).map((m) => m.value);
}

/**
 * Tier 1: an answer that contains an injection phrase itself (it echoes the attack or follows
 * it) is a violation; one that merely talks about its instructions is ambiguous.
 */
export function injectionFilter(text: string): Finding[] {
  const strong = matches(text, INJECTION_PHRASES).map((m): Finding => ({ rule: 'prompt_injection', ...m, certainty: 'high', detail: 'injection phrase in the answer' }));
  const weak = matches(text, SELF_REFERENCE)
    .filter((w) => !strong.some((s) => w.start < s.end && s.start < w.end))
    .map((m): Finding => ({ rule: 'prompt_injection', ...m, certainty: 'low', detail: 'the answer talks about its instructions' }));
  return [...strong, ...weak];
}
