import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type Page, chromium as playwright } from 'playwright-core';
import { installedApps } from '../../apps/installed.js';
import type { AppManifest } from '../apps/define-app.js';
import { createRegistry } from '../apps/registry.js';
import { loadConfig } from '../config/index.js';
import type { Database } from '../db/database.js';
import { startServer } from '../http/start-server.js';
import { createLogger } from '../log.js';
import { projectRoot } from '../paths.js';
import { TEST_SECRET_KEY } from './build-test-app.js';
import { freePort } from './free-port.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';
import { requireTool, type Tool } from './tools.js';

/**
 * Debian's Chromium (`apt-get install chromium`), or `CHROMIUM_PATH`. Playwright's own browser
 * downloads are never used: do not run `npx playwright install`.
 *
 * @example
 *   describe('the admin in Chromium', needs(chromium), () => { … });
 */
export const chromium: Tool = requireTool({
  name: 'Chromium',
  find: () =>
    [process.env['CHROMIUM_PATH'], '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
      (path): path is string => Boolean(path) && existsSync(path!),
    ),
  install: 'apt-get install --no-install-recommends chromium (or set CHROMIUM_PATH)',
});

/**
 * Headless, no sandbox (tests run as root in containers), and nothing that talks to Google:
 * no background networking, component updates, sync or QUIC, so runs are offline and repeatable.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/** Folder of the screenshots tests save (git-ignored; CI keeps it as an artifact). */
export const screenshotsDir = join(projectRoot, 'artifacts', 'screenshots');

/**
 * Launches Debian's headless Chromium through playwright-core. Close it in `afterAll`.
 *
 * @example
 *   const browser = await launchBrowser();
 *   const page = await browser.newPage();
 */
export function launchBrowser(): Promise<Browser> {
  return playwright.launch({ executablePath: chromium.path(), headless: true, args: [...CHROMIUM_ARGS] });
}

export interface TestServer {
  /** `http://localhost:<port>`: localhost, so that Chromium keeps the Secure cookies of DEBUG=0. */
  readonly url: string;
  readonly database: TestDatabase;
  /**
   * The server's own open database, for seeding and checking rows. Use this, never a second
   * connection: in-process, a second PGlite on the same folder would corrupt it.
   */
  readonly db: Database;
  /** Stops the server and drops its database. */
  close(): Promise<void>;
}

/**
 * Boots the real server as `slipway serve` does (AUTO_MIGRATE, DEBUG=0, so Secure cookies, HSTS
 * and the production error pages) on a free port and a fresh test database (a copy of the
 * migrated template).
 *
 * @example
 *   const server = await startTestServer();
 *   await page.goto(`${server.url}/`);
 *   await server.close();
 */
export async function startTestServer(
  options: { env?: Record<string, string>; apps?: readonly AppManifest[] } = {},
): Promise<TestServer> {
  const database = await createTestDatabase({ migrated: true }); // AUTO_MIGRATE then has nothing to do
  try {
    const config = loadConfig({
      cwd: database.tmp,
      env: {
        DATABASE_URL: database.url,
        SECRET_KEY: TEST_SECRET_KEY,
        ALLOWED_HOSTS: 'localhost,127.0.0.1',
        DATA_DIR: database.tmp,
        HOST: '127.0.0.1',
        PORT: String(await freePort()),
        AUTO_MIGRATE: '1',
        LOG_LEVEL: 'warn',
        DEBUG: '0',
        ...options.env,
      },
    });
    const server = await startServer(
      config,
      createRegistry(options.apps ?? installedApps),
      createLogger(config, 2),
    );
    return {
      url: `http://localhost:${config.port}`,
      database,
      db: server.database,
      async close() {
        await server.shutdown();
        await database.drop();
      },
    };
  } catch (error) {
    await database.drop();
    throw error;
  }
}

/**
 * Saves a full-page PNG as `artifacts/screenshots/<name>.png` and returns its path. The file is
 * written to `.tmp` first, so a killed run never leaves half an image.
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotsDir, { recursive: true });
  const path = join(screenshotsDir, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  writeFileSync(`${path}.tmp`, await page.screenshot({ fullPage: true }));
  renameSync(`${path}.tmp`, path);
  return path;
}
