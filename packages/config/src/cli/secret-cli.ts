import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateMasterKey, isEncryptedValue, openSecret, parseMasterKey, sealSecret, SecretError } from '../secrets/aead';
import { resolveMasterKey, SECRET_ENV_VARS } from '../secrets/env-secrets';

/** What the CLI needs from its process; tests pass fakes. */
export type SecretCliIo = {
  env: Record<string, string | undefined>;
  /** Reads the secret input: from a terminal without echo, otherwise all of stdin. */
  readInput(prompt: string): Promise<string>;
  out(text: string): void;
  err(text: string): void;
};

/** sysexits: usage, data error, config error. */
export const EXIT = { ok: 0, usage: 64, data: 65, config: 78 } as const;

const USAGE = `Pemakaian / usage:
  npm run secret -- keygen
      kunci induk baru (32 byte, base64) / prints a new master key
  npm run secret -- encrypt <NAMA_VARIABEL>  < nilai
      membaca nilai dari stdin (tanpa gema), mencetak enc:v1:… / reads the value from stdin (no echo), prints enc:v1:…
  npm run secret -- decrypt <NAMA_VARIABEL> --reveal  < enc:v1:…
      hanya untuk operator: mencetak nilai asli / operators only: prints the plain value
  npm run secret -- rotate <berkas.env> --new-key-file <berkas> [--encrypt-plain]
      mengenkripsi ulang setiap nilai enc:v1 berkas env dengan kunci baru (ditulis di tempat, atomik)
      re-encrypts every enc:v1 value of an env file under the new key (in place, atomically);
      --encrypt-plain also encrypts plain ${SECRET_ENV_VARS.join(', ')}
The current key comes from BETANG_MASTER_KEY, BETANG_MASTER_KEY_FILE or $CREDENTIALS_DIRECTORY/betang-master-key.`;

const VAR_NAME = /^[A-Z][A-Z0-9_]{0,63}$/;

function currentKey(io: SecretCliIo): Buffer | number {
  const problems: string[] = [];
  const key = resolveMasterKey(io.env, problems);
  if (key) return key;
  io.err(
    problems.length > 0
      ? `${problems.join('\n')}\n`
      : 'kunci induk tidak tersedia: setel BETANG_MASTER_KEY_FILE / no master key: set BETANG_MASTER_KEY_FILE\n',
  );
  return EXIT.config;
}

/** Strips exactly one trailing line break (what `echo` or a here-string adds), nothing else. */
function stripNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}

const ENV_LINE = /^(\s*(?:export\s+)?)([A-Za-z_][A-Za-z0-9_]*)=(["']?)(.*?)\3(\s*)$/;

/**
 * Re-encrypts an env file's text. Guarantees: only `NAME=enc:v1:…` lines (and, with
 * `encryptPlain`, plain secret-bearing lines) change; comments, order and other lines stay byte
 * for byte; any value that does not open with `oldKey` aborts the whole rotation (nothing half done).
 */
function rotateEnvText(
  text: string,
  oldKey: Buffer,
  newKey: Buffer,
  encryptPlain: boolean,
): { text: string; rotated: string[]; encrypted: string[] } {
  const rotated: string[] = [];
  const encrypted: string[] = [];
  const lines = text.split('\n').map((line) => {
    const match = ENV_LINE.exec(line);
    if (!match) return line;
    const [, lead, name, quote, value, trail] = match as unknown as [string, string, string, string, string, string];
    if (isEncryptedValue(value)) {
      let plain: string;
      try {
        plain = openSecret(oldKey, name, value);
      } catch (error) {
        throw new SecretError(
          error instanceof SecretError && error.reason === 'malformed' ? 'malformed' : 'authentication',
          `${name}: ${error instanceof Error ? error.message : 'cannot be decrypted'}`,
        );
      }
      rotated.push(name);
      return `${lead}${name}=${quote}${sealSecret(newKey, name, plain)}${quote}${trail}`;
    }
    if (encryptPlain && SECRET_ENV_VARS.includes(name) && value !== '') {
      encrypted.push(name);
      return `${lead}${name}=${quote}${sealSecret(newKey, name, value)}${quote}${trail}`;
    }
    return line;
  });
  return { text: lines.join('\n'), rotated, encrypted };
}

function writeAtomically(file: string, text: string): void {
  const mode = statSync(file).mode & 0o777;
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  writeFileSync(tmp, text, { mode, flag: 'wx' });
  renameSync(tmp, file);
}

/**
 * Runs `npm run secret -- <command>`. Guarantees: a secret is read from stdin only (never from
 * argv), is never written to stderr, and `decrypt` prints a plain value only with `--reveal`.
 * Returns the process exit code (sysexits).
 */
export async function runSecretCli(args: string[], io: SecretCliIo): Promise<number> {
  const [command, ...rest] = args;
  const flags = new Set(rest.filter((a) => a.startsWith('--')));
  const positional = rest.filter((a) => !a.startsWith('--'));
  switch (command) {
    case 'keygen': {
      io.out(`${generateMasterKey()}\n`);
      return EXIT.ok;
    }
    case 'encrypt':
    case 'decrypt': {
      const name = positional[0];
      if (!name || !VAR_NAME.test(name) || positional.length !== 1) {
        io.err(
          `${command}: sebutkan satu NAMA_VARIABEL (nilai dibaca dari stdin, tidak dari argumen) / give one VAR_NAME (the value is read from stdin, never from arguments)\n`,
        );
        return EXIT.usage;
      }
      if (command === 'decrypt' && !flags.has('--reveal')) {
        io.err(
          'decrypt mencetak rahasia dalam teks biasa; ulangi dengan --reveal bila memang perlu / decrypt prints the secret in plain text; repeat with --reveal if you really mean it\n',
        );
        return EXIT.usage;
      }
      const key = currentKey(io);
      if (typeof key === 'number') return key;
      const input = stripNewline(await io.readInput(command === 'encrypt' ? `Nilai ${name} / value of ${name}: ` : `enc:v1 ${name}: `));
      if (command === 'encrypt') {
        if (input === '') {
          io.err('nilai kosong / empty value\n');
          return EXIT.data;
        }
        if (isEncryptedValue(input)) {
          io.err('nilai sudah terenkripsi / the value is already encrypted\n');
          return EXIT.data;
        }
        io.out(`${sealSecret(key, name, input)}\n`);
        return EXIT.ok;
      }
      try {
        io.out(`${openSecret(key, name, input.trim())}\n`);
        return EXIT.ok;
      } catch (error) {
        io.err(`${name}: ${error instanceof Error ? error.message : 'cannot be decrypted'}\n`);
        return EXIT.data;
      }
    }
    case 'rotate': {
      const file = positional[0];
      const newKeyIndex = rest.indexOf('--new-key-file');
      const newKeyFile = newKeyIndex >= 0 ? rest[newKeyIndex + 1] : undefined;
      if (!file || !newKeyFile || newKeyFile.startsWith('--')) {
        io.err('rotate: rotate <berkas.env> --new-key-file <berkas> / rotate <file.env> --new-key-file <file>\n');
        return EXIT.usage;
      }
      const oldKey = currentKey(io);
      if (typeof oldKey === 'number') return oldKey;
      let newKey: Buffer;
      let text: string;
      try {
        newKey = parseMasterKey(readFileSync(newKeyFile, 'utf8'));
        text = readFileSync(file, 'utf8');
      } catch (error) {
        const reason = error instanceof SecretError ? error.message : ((error as NodeJS.ErrnoException).code ?? 'error');
        io.err(`rotate: ${reason}\n`);
        return error instanceof SecretError ? EXIT.config : EXIT.data;
      }
      try {
        const result = rotateEnvText(text, oldKey, newKey, flags.has('--encrypt-plain'));
        writeAtomically(file, result.text);
        io.err(
          `dienkripsi ulang / re-encrypted: ${result.rotated.join(', ') || '-'}; dienkripsi / newly encrypted: ${result.encrypted.join(', ') || '-'}\n`,
        );
        io.err(
          `Sekarang pasang kunci baru sebagai BETANG_MASTER_KEY_FILE dan mulai ulang layanan / now install the new key as BETANG_MASTER_KEY_FILE and restart the services\n`,
        );
        return EXIT.ok;
      } catch (error) {
        io.err(`rotate: berkas tidak diubah / file left unchanged: ${error instanceof Error ? error.message : String(error)}\n`);
        return EXIT.data;
      }
    }
    default:
      io.err(`${USAGE}\n`);
      return command === undefined || command === 'help' || command === '--help' ? EXIT.ok : EXIT.usage;
  }
}
