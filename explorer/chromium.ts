import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer-core';

/** Where Debian's `chromium` package puts the browser (CHROMIUM_PATH overrides). */
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

function findChromium(): string | undefined {
  const chosen = process.env.CHROMIUM_PATH;
  if (chosen) return existsSync(chosen) ? chosen : undefined;
  return CANDIDATES.find((path) => existsSync(path));
}

/**
 * The path of a headless-capable Chromium, installing Debian's `chromium` package with apt-get when
 * none is there (the machines here and CI run as root; puppeteer-core downloads no browser of its
 * own). Throws with what to do when that is impossible: the browser tests are never skipped.
 */
export function ensureChromium(log: (line: string) => void = () => {}): string {
  const found = findChromium();
  if (found) return found;
  if (process.env.CHROMIUM_PATH) {
    throw new Error(`CHROMIUM_PATH=${process.env.CHROMIUM_PATH} does not exist`);
  }
  const hasApt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  const root = process.getuid?.() === 0;
  if (!hasApt || !root) {
    throw new Error(
      "Chromium is missing and cannot be installed here (needs apt-get as root): install Debian's " +
        '`chromium` package (apt-get install -y chromium) or set CHROMIUM_PATH to a Chromium binary.',
    );
  }
  log('installing chromium (apt-get install -y chromium)');
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update'], { stdio: 'ignore', env, timeout: 300_000 });
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], {
      stdio: 'ignore',
      env,
      timeout: 600_000,
    });
  } catch (error) {
    throw new Error(
      `apt-get install -y chromium failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const installed = findChromium();
  if (!installed) throw new Error('apt-get installed chromium, but no chromium binary was found');
  return installed;
}

/** Headless Chromium through puppeteer-core. `--no-sandbox`: root cannot use Chromium's sandbox. */
export async function launchChromium(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: ensureChromium(),
    headless: true,
    // Background networking, component updates and sync reach out to Google's hosts, which a closed
    // CI network refuses (many connections at every start): off, as the machine's own probe runs it.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
    ],
  });
}
