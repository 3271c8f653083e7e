const KEY = 'manga-assist.controlToken';

/**
 * The control token for the ops feed. Entered in the sign-in form, or handed over once in the URL
 * fragment (`/ops#token=…`, never sent to the server and removed from the address bar at once); kept
 * in sessionStorage, so it lasts for this tab only.
 */
export function takeToken(storage: Pick<Storage, 'getItem' | 'setItem'>, loc: { hash: string }, clearHash: () => void): string | null {
  const fromHash = new URLSearchParams(loc.hash.replace(/^#/, '')).get('token');
  if (fromHash) {
    storage.setItem(KEY, fromHash);
    clearHash();
    return fromHash;
  }
  return storage.getItem(KEY);
}

export const saveToken = (storage: Pick<Storage, 'setItem'>, token: string) => storage.setItem(KEY, token);
export const forgetToken = (storage: Pick<Storage, 'removeItem'>) => storage.removeItem(KEY);
