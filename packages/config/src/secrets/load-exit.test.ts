import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { generateMasterKey, parseMasterKey, sealSecret } from './aead';

/** Runs loadConfigOrExit(ZApiEnv) in a fresh process with exactly `env`, as a composition root does. */
function loadInChild(env: Record<string, string>) {
  const load = path.join(__dirname, '..', 'index.ts');
  const script = `const c = require(${JSON.stringify(load)}); c.loadConfigOrExit(c.ZApiEnv); console.log('started');`;
  return spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

jest.setTimeout(60_000);

describe('loadConfigOrExit with secrets', () => {
  const key = generateMasterKey();
  const signing = 'rahasia-induk-penandatanganan-uji-proses-0123';
  const sealed = sealSecret(parseMasterKey(key), 'SIGNING_MASTER_SECRET', signing);

  it('should exit 78 naming the variable, never printing the value, on a wrong key', () => {
    const run = loadInChild({
      DATABASE_URL: 'postgres://127.0.0.1/b',
      SIGNING_MASTER_SECRET: sealed,
      BETANG_MASTER_KEY: generateMasterKey(),
    });
    expect(run.status).toBe(78);
    expect(run.stderr).toMatch(/SIGNING_MASTER_SECRET: .*cannot be decrypted/);
    expect(run.stdout + run.stderr).not.toContain(sealed.slice(7, 40));
    expect(run.stdout + run.stderr).not.toContain(signing);
  });

  it('should start with the right key and warn about plain secrets in production by name only', () => {
    expect(loadInChild({ DATABASE_URL: 'postgres://127.0.0.1/b', SIGNING_MASTER_SECRET: sealed, BETANG_MASTER_KEY: key }).stdout).toContain(
      'started',
    );
    const plain = loadInChild({ DATABASE_URL: 'postgres://betang:pw-rahasia@127.0.0.1/b', SIGNING_MASTER_SECRET: signing });
    expect(plain.status).toBe(0);
    expect(plain.stderr).toMatch(/WARNING: .*DATABASE_URL, SIGNING_MASTER_SECRET/);
    expect(plain.stderr).not.toContain('pw-rahasia');
    expect(plain.stderr).not.toContain(signing);
    expect(
      loadInChild({ DATABASE_URL: 'postgres://127.0.0.1/b', SIGNING_MASTER_SECRET: signing, SECRETS_REQUIRE_ENCRYPTION: 'true' }).status,
    ).toBe(78);
  });
});
