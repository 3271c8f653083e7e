/** What the composer needs to know about a key press. */
export interface KeyPress {
  key: string;
  shiftKey: boolean;
  isComposing: boolean;
  keyCode: number;
}

/**
 * Enter sends, Shift+Enter is a new line, and Enter while an IME is composing (choosing kanji for
 * Japanese input) only confirms the composition. Safari reports the confirming Enter with
 * isComposing false but keyCode 229, so both are checked.
 */
export function shouldSend(key: KeyPress): boolean {
  return key.key === 'Enter' && !key.shiftKey && !key.isComposing && key.keyCode !== 229;
}
