/*
 * Cost of the API operations that moved onto maintained libraries (otplib, ssh2, csv-stringify /
 * csv-parse), measured in this process: mean microseconds per call over many calls after a
 * warm-up. Usage: node --import tsx bench/library-ops-bench.ts [iterations]
 * A request's own cost (HTTP, session, PostgreSQL) is in milliseconds, so these show whether a
 * library made a route measurably slower.
 */
import { generateKeyPairSync } from 'node:crypto';
import { matchTotpStep, newTotpSecret, totpCode } from '../apps/api/src/security/totp';
import { verifySshPublicKey } from '../apps/api/src/security/ssh-public-key';
import { parseCsv, toCsv } from '../apps/api/src/use-cases/csv';

function time(name: string, iterations: number, fn: () => unknown): void {
  for (let i = 0; i < Math.min(200, iterations); i++) fn();
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  const micros = Number(process.hrtime.bigint() - started) / 1e3 / iterations;
  console.log(`${name.padEnd(52)} ${micros.toFixed(1).padStart(9)} µs/call`);
}

function opensshEd25519(): string {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const field = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  return `ssh-ed25519 ${Buffer.concat([field(Buffer.from('ssh-ed25519')), field(raw)]).toString('base64')} bench@betang`;
}

function opensshRsa(): string {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 3072 });
  const jwk = publicKey.export({ format: 'jwk' });
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const field = (b: Buffer) => Buffer.concat([u32(b.length), b]);
  // An SSH mpint is positive: a leading 0 byte when the top bit is set.
  const mpint = (b64url: string) => {
    const b = Buffer.from(b64url, 'base64url');
    return field((b[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
  };
  return `ssh-rsa ${Buffer.concat([field(Buffer.from('ssh-rsa')), mpint(jwk.e ?? ''), mpint(jwk.n ?? '')]).toString('base64')} bench@betang`;
}

const iterations = Number(process.argv[2] ?? 5000);
console.log(`library-backed API operations, ${iterations} calls each, Node ${process.version}`);
const secret = newTotpSecret();
const code = totpCode(secret);
time('TOTP: check a code (otplib, ±1 step)', iterations, () => matchTotpStep(secret, code));
const ed = opensshEd25519();
const rsa = opensshRsa();
if (!verifySshPublicKey(ed).ok || !verifySshPublicKey(rsa).ok) throw new Error('bench keys refused');
time('SSH key: ed25519 parsed + fingerprinted (ssh2)', iterations, () => verifySshPublicKey(ed));
time('SSH key: RSA 3072 parsed + fingerprinted (ssh2)', iterations, () => verifySshPublicKey(rsa));
const rows = Array.from({ length: 1000 }, (_, i) => [
  `app-${i}`,
  `Dinas ${i}; "kutip"`,
  String(i * 1.5),
  '=SUM(A1)',
  new Date(0).toISOString(),
]);
const csv = toCsv(rows);
time('CSV: export 1000 rows (csv-stringify)', Math.max(20, iterations / 100), () => toCsv(rows));
time('CSV: import 1000 rows (csv-parse)', Math.max(20, iterations / 100), () => parseCsv(csv));
