import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LOG_REDACT_PATHS } from '@betang/config';
import logTeardown from './jest-log-teardown';
import { formatLeaks, scanLogsForSecrets } from './log-check';
import { testLogDestination, testLogOptions } from './test-logs';
import { TEST_PASSWORD, TEST_PVE_TOKEN_SECRET, TEST_SECRETS, TEST_SMTP_PASSWORD } from './test-secrets';

describe('suite-wide log secret check', () => {
  let dir: string;
  const saved = { ...process.env };
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'betang-logcheck-'));
  });
  afterEach(() => {
    process.env = { ...saved };
    rmSync(dir, { recursive: true, force: true });
  });

  it('should find every configured secret, in any encoding, with file and line, and mask it in the report', () => {
    mkdirSync(path.join(dir, 'child'));
    writeFileSync(
      path.join(dir, 'api.1.log'),
      ['{"msg":"ok"}', `{"msg":"login","body":{"password":${JSON.stringify(TEST_PASSWORD)}}}`, ''].join('\n'),
    );
    writeFileSync(
      path.join(dir, 'child', 'worker.2.log'),
      [
        `smtp failed smtps://u:${encodeURIComponent(TEST_SMTP_PASSWORD)}@mail:465`,
        `Authorization: PVEAPIToken=root@pam!betang=${TEST_PVE_TOKEN_SECRET}`,
      ].join('\n'),
    );
    const { files, leaks } = scanLogsForSecrets(dir);
    expect(files).toBe(2);
    expect(leaks.map((l) => [path.basename(l.file), l.line, l.secret]).sort()).toEqual(
      [
        ['api.1.log', 2, 'TEST_PASSWORD'],
        ['worker.2.log', 1, 'SMTP_PASSWORD'],
        ['worker.2.log', 2, 'PVE_TOKEN_HEADER'],
        ['worker.2.log', 2, 'PVE_TOKEN_SECRET'],
      ].sort(),
    );
    const report = formatLeaks(leaks);
    for (const value of Object.values(TEST_SECRETS)) expect(report).not.toContain(value);
    expect(report).toContain('[TEST_PASSWORD]');
  });

  it('should catch secrets made at run time by their shape (API tokens, session cookies, private keys)', () => {
    writeFileSync(
      path.join(dir, 'x.log'),
      [
        `token btg_Ab3dEf9h_${'x'.repeat(43)}`,
        'cookie: betang_session=QmV0YW5nLXNlc3Npb24tc2VjcmV0LXZhbHVl',
        '"-----BEGIN OPENSSH PRIVATE KEY-----\\nb3Blb..."',
        'prefix btg_Ab3dEf9h only (what token lists show) is fine',
      ].join('\n'),
    );
    expect(scanLogsForSecrets(dir).leaks.map((l) => [l.line, l.secret])).toEqual([
      [1, 'API_TOKEN'],
      [2, 'SESSION_COOKIE'],
      [3, 'PRIVATE_KEY'],
    ]);
  });

  it('should fail the run through the teardown on a leak, and on an empty log directory of a whole-suite run', () => {
    process.env.BETANG_TEST_LOG_DIR = dir;
    process.env.BETANG_TEST_LOG_DIR_CHOSEN = '1';
    process.env.BETANG_TEST_LOGS_EXPECTED = '1';
    expect(() => logTeardown({ testPathPatterns: { patterns: [] } })).toThrow(/no test logs/);
    // a filtered run (one path) may legitimately write no log
    expect(() => logTeardown({ testPathPatterns: { patterns: ['packages/config'] } })).not.toThrow();
    writeFileSync(path.join(dir, 'w.log'), `{"level":20,"url":"postgres://u:x@h/d","secret":"${TEST_PVE_TOKEN_SECRET}"}\n`);
    let message = '';
    try {
      logTeardown({ testPathPatterns: { patterns: [] } });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/w\.log:1 PVE_TOKEN_SECRET/);
    expect(message).not.toContain(TEST_PVE_TOKEN_SECRET);
    writeFileSync(path.join(dir, 'w.log'), '{"level":30,"msg":"clean"}\n');
    expect(() => logTeardown({ testPathPatterns: { patterns: [] } })).not.toThrow();
    expect(readdirSync(dir)).toEqual(['w.log']); // a directory the caller chose is kept
  });

  it('test loggers should write JSON lines at debug level into the run directory, with the production redaction', () => {
    process.env.BETANG_TEST_LOG_DIR = dir;
    delete process.env.TEST_LOG_LEVEL;
    const options = testLogOptions('unit');
    expect(options.level).toBe('debug');
    expect(options.redact.paths).toEqual([...LOG_REDACT_PATHS]);
    expect(options).not.toHaveProperty('transport');
    testLogDestination('unit').write('{"a":1}\n');
    testLogDestination('unit').write('{"a":2}\n');
    expect(readFileSync(path.join(dir, `unit.${process.pid}.log`), 'utf8')).toBe('{"a":1}\n{"a":2}\n');
    delete process.env.BETANG_TEST_LOG_DIR;
    expect(testLogOptions('unit').level).toBe('silent');
  });
});
