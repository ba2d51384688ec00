import { rmSync } from 'node:fs';
import { formatLeaks, scanLogsForSecrets } from './log-check';
import { TEST_LOG_DIR_ENV } from './test-logs';

type GlobalConfigLike = {
  testPathPatterns?: { patterns?: unknown[] } | unknown[];
  testNamePattern?: string;
  onlyChanged?: boolean;
  findRelatedTests?: boolean;
  lastCommit?: boolean;
};

/** True when this run selected tests by path, name or change set (then an empty log is no proof of a wiring fault). */
function filtered(config: GlobalConfigLike): boolean {
  const patterns = Array.isArray(config.testPathPatterns) ? config.testPathPatterns : (config.testPathPatterns?.patterns ?? []);
  return (
    patterns.length > 0 ||
    Boolean(config.testNamePattern) ||
    Boolean(config.onlyChanged) ||
    Boolean(config.findRelatedTests) ||
    Boolean(config.lastCommit)
  );
}

/**
 * Root Jest globalTeardown: the suite-wide secret check. Greps every log the run wrote
 * for the configured test secrets and secret shapes and fails the run, printing file:line with
 * the secret masked. Also fails a whole-suite run (integration/e2e included, no filter) whose
 * log directory is empty — a check over nothing proves nothing. A clean directory is removed
 * unless the caller chose it or BETANG_TEST_KEEP_LOGS=1; a failing one is kept for reading.
 */
export default function logTeardown(globalConfig: GlobalConfigLike): void {
  const dir = process.env[TEST_LOG_DIR_ENV];
  if (!dir) return;
  const { files, bytes, leaks } = scanLogsForSecrets(dir);
  if (leaks.length > 0) {
    throw new Error(`Rahasia bocor ke log / secrets leaked into test logs (${leaks.length}; logs kept in ${dir}):\n${formatLeaks(leaks)}`);
  }
  const expected = process.env.BETANG_TEST_LOGS_EXPECTED === '1' && !filtered(globalConfig);
  if (bytes === 0 && (expected || process.env.BETANG_TEST_LOGS_REQUIRED === '1')) {
    throw new Error(
      `Tidak ada log uji di ${dir}: pemeriksaan rahasia tidak membuktikan apa pun / no test logs in ${dir}: the secret check would prove nothing (are test loggers wired to testkit's testLogDestination?)`,
    );
  }
  process.stdout.write(
    `\nlog check: ${files} file(s), ${(bytes / 1024 / 1024).toFixed(1)} MiB of test logs, no configured secret found (${dir})\n`,
  );
  if (process.env.BETANG_TEST_LOG_DIR_CHOSEN !== '1' && process.env.BETANG_TEST_KEEP_LOGS !== '1')
    rmSync(dir, { recursive: true, force: true });
}
