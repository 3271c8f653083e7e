import { shouldSend } from './ime';

const key = (over: Partial<Parameters<typeof shouldSend>[0]>) => ({ key: 'Enter', shiftKey: false, isComposing: false, keyCode: 13, ...over });

describe('shouldSend', () => {
  it('sends on Enter', () => expect(shouldSend(key({}))).toBe(true));
  it('keeps Shift+Enter for a new line', () => expect(shouldSend(key({ shiftKey: true }))).toBe(false));
  it('does not send the Enter that confirms an IME composition', () => {
    expect(shouldSend(key({ isComposing: true }))).toBe(false);
    // Safari: composition already ended, but the key is still the IME's (keyCode 229).
    expect(shouldSend(key({ keyCode: 229 }))).toBe(false);
  });
  it('ignores other keys', () => expect(shouldSend(key({ key: 'a', keyCode: 65 }))).toBe(false));
});
