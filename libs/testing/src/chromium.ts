/**
 * How tests and tools launch Debian's Chromium through playwright-core (no browser download): the
 * executable (CHROMIUM_PATH, else /usr/bin/chromium) and the flags of a closed network, without
 * which Chromium keeps opening connections nobody answers.
 */
export function chromiumLaunchOptions(): { executablePath: string; args: string[] } {
  return {
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  };
}
