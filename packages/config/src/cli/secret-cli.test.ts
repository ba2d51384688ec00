import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateMasterKey, openSecret, parseMasterKey, sealSecret } from '../secrets/aead';
import { EXIT, runSecretCli, type SecretCliIo } from './secret-cli';

const KEY_TEXT = generateMasterKey();
const KEY = parseMasterKey(KEY_TEXT);

function fakeIo(env: Record<string, string | undefined>, input = ''): SecretCliIo & { stdout: string; stderr: string; prompts: string[] } {
  const io = {
    env,
    stdout: '',
    stderr: '',
    prompts: [] as string[],
    readInput: async (prompt: string) => {
      io.prompts.push(prompt);
      return input;
    },
    out: (text: string) => void (io.stdout += text),
    err: (text: string) => void (io.stderr += text),
  };
  return io;
}

jest.setTimeout(60_000);

describe('npm run secret', () => {
  it('keygen should print a fresh 32-byte base64 key', async () => {
    const a = fakeIo({});
    const b = fakeIo({});
    expect(await runSecretCli(['keygen'], a)).toBe(EXIT.ok);
    await runSecretCli(['keygen'], b);
    expect(parseMasterKey(a.stdout)).toHaveLength(32);
    expect(a.stdout).not.toBe(b.stdout);
  });

  it('encrypt should read the value from input (one trailing newline stripped) and print an enc:v1 value for that variable', async () => {
    const io = fakeIo({ BETANG_MASTER_KEY: KEY_TEXT }, 'smtps://u:p%40ss@mail:465\n');
    expect(await runSecretCli(['encrypt', 'SMTP_URL'], io)).toBe(EXIT.ok);
    expect(openSecret(KEY, 'SMTP_URL', io.stdout.trim())).toBe('smtps://u:p%40ss@mail:465');
    expect(io.stderr).toBe('');
  });

  it('encrypt should refuse a value on the command line, a bad name, no key, an empty or already encrypted value', async () => {
    expect(await runSecretCli(['encrypt', 'PVE_TOKEN_SECRET', 'the-secret'], fakeIo({ BETANG_MASTER_KEY: KEY_TEXT }))).toBe(EXIT.usage);
    expect(await runSecretCli(['encrypt', 'lower; rm -rf'], fakeIo({ BETANG_MASTER_KEY: KEY_TEXT }))).toBe(EXIT.usage);
    const noKey = fakeIo({}, 'x');
    expect(await runSecretCli(['encrypt', 'PVE_TOKEN_SECRET'], noKey)).toBe(EXIT.config);
    expect(noKey.prompts).toEqual([]); // nothing is read before the key is known
    expect(await runSecretCli(['encrypt', 'PVE_TOKEN_SECRET'], fakeIo({ BETANG_MASTER_KEY: KEY_TEXT }, '\n'))).toBe(EXIT.data);
    expect(
      await runSecretCli(
        ['encrypt', 'PVE_TOKEN_SECRET'],
        fakeIo({ BETANG_MASTER_KEY: KEY_TEXT }, sealSecret(KEY, 'PVE_TOKEN_SECRET', 'x')),
      ),
    ).toBe(EXIT.data);
  });

  it('decrypt should need --reveal, and refuse a wrong key, a wrong variable and garbage without printing them', async () => {
    const value = sealSecret(KEY, 'PVE_TOKEN_SECRET', 'rahasia-token');
    const noFlag = fakeIo({ BETANG_MASTER_KEY: KEY_TEXT }, value);
    expect(await runSecretCli(['decrypt', 'PVE_TOKEN_SECRET'], noFlag)).toBe(EXIT.usage);
    expect(noFlag.stdout).toBe('');
    const ok = fakeIo({ BETANG_MASTER_KEY: KEY_TEXT }, `${value}\n`);
    expect(await runSecretCli(['decrypt', 'PVE_TOKEN_SECRET', '--reveal'], ok)).toBe(EXIT.ok);
    expect(ok.stdout).toBe('rahasia-token\n');
    for (const [env, name, input] of [
      [{ BETANG_MASTER_KEY: generateMasterKey() }, 'PVE_TOKEN_SECRET', value],
      [{ BETANG_MASTER_KEY: KEY_TEXT }, 'SMTP_URL', value],
      [{ BETANG_MASTER_KEY: KEY_TEXT }, 'PVE_TOKEN_SECRET', value.slice(0, 30)],
      [{ BETANG_MASTER_KEY: KEY_TEXT }, 'PVE_TOKEN_SECRET', 'enc:v1:!!!'],
    ] as const) {
      const io = fakeIo(env, input);
      expect(await runSecretCli(['decrypt', name, '--reveal'], io)).toBe(EXIT.data);
      expect(io.stdout).toBe('');
      expect(io.stderr).not.toContain(input.slice(7, 30));
    }
  });

  it('rotate should re-encrypt an env file under the new key in place, keeping everything else and the file mode', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'betang-rotate-'));
    try {
      const newKeyText = generateMasterKey();
      writeFileSync(path.join(dir, 'new.key'), `${newKeyText}\n`);
      const file = path.join(dir, 'betang.env');
      const original = [
        '# komentar',
        'NODE_ENV=production',
        `PVE_TOKEN_SECRET=${sealSecret(KEY, 'PVE_TOKEN_SECRET', '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0')}`,
        `SMTP_URL="${sealSecret(KEY, 'SMTP_URL', 'smtps://u:pw@mail:465')}"`,
        'SIGNING_MASTER_SECRET=plain-signing-secret-0123456789abcdef',
        'PVE_TOKEN_ID=betang@pve!worker',
        '',
      ].join('\n');
      writeFileSync(file, original, { mode: 0o600 });
      const io = fakeIo({ BETANG_MASTER_KEY: KEY_TEXT });
      expect(await runSecretCli(['rotate', file, '--new-key-file', path.join(dir, 'new.key'), '--encrypt-plain'], io)).toBe(EXIT.ok);
      const lines = readFileSync(file, 'utf8').split('\n');
      const newKey = parseMasterKey(newKeyText);
      expect(lines[0]).toBe('# komentar');
      expect(lines[1]).toBe('NODE_ENV=production');
      expect(openSecret(newKey, 'PVE_TOKEN_SECRET', lines[2]!.split('=')[1]!)).toBe('0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0');
      expect(openSecret(newKey, 'SMTP_URL', lines[3]!.slice('SMTP_URL="'.length, -1))).toBe('smtps://u:pw@mail:465');
      expect(openSecret(newKey, 'SIGNING_MASTER_SECRET', lines[4]!.split('=')[1]!)).toBe('plain-signing-secret-0123456789abcdef');
      expect(lines[5]).toBe('PVE_TOKEN_ID=betang@pve!worker');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(io.stderr).toContain('PVE_TOKEN_SECRET, SMTP_URL');

      // the old key no longer opens the file: a second rotation with it changes nothing
      const before = readFileSync(file, 'utf8');
      const again = fakeIo({ BETANG_MASTER_KEY: KEY_TEXT });
      expect(await runSecretCli(['rotate', file, '--new-key-file', path.join(dir, 'new.key')], again)).toBe(EXIT.data);
      expect(readFileSync(file, 'utf8')).toBe(before);
      expect(again.stderr).toMatch(/PVE_TOKEN_SECRET/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the real command should read a piped value from stdin, not argv', () => {
    const entry = path.join(__dirname, 'secret.ts');
    const run = spawnSync(process.execPath, ['--import', 'tsx', entry, 'encrypt', 'PVE_TOKEN_SECRET'], {
      input: 'dari-stdin\n',
      encoding: 'utf8',
      env: { PATH: process.env.PATH, BETANG_MASTER_KEY: KEY_TEXT },
      timeout: 30_000,
    });
    expect(run.status).toBe(0);
    expect(openSecret(KEY, 'PVE_TOKEN_SECRET', run.stdout.trim())).toBe('dari-stdin');
  });
});
