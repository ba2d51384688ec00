import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TEST_LOG_DIR_ENV } from './test-logs';

/**
 * Root Jest globalSetup: gives this `npm test` run one log directory (a fresh one under the OS
 * temp directory, or BETANG_TEST_LOG_DIR when the caller chose one) and exports it to every test
 * worker and child process. jest-log-teardown.ts scans it for secrets at the end.
 */
export default function logSetup(): void {
  const chosen = process.env[TEST_LOG_DIR_ENV];
  if (chosen) {
    mkdirSync(chosen, { recursive: true });
    process.env.BETANG_TEST_LOG_DIR_CHOSEN = '1';
    return;
  }
  process.env[TEST_LOG_DIR_ENV] = mkdtempSync(path.join(tmpdir(), 'betang-test-logs-'));
}
