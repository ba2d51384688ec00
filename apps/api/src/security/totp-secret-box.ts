import { scryptSync } from 'node:crypto';
import { isEncryptedValue, openSecret, sealSecret } from '@betang/config';
import { listPlainTotpSecrets, replacePlainTotpSecret, type Executor } from '@betang/db';

// scrypt as for the signing keys (N=2^15, r=8, p=1), run once per process: the input is a
// passphrase of any length, and a fixed, purpose-bound salt keeps this key apart from every other
// key derived from the same secret.
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const SALT = 'betang/users.totp_secret/v1';

const keys = new Map<string, Buffer>();

function keyFor(masterSecret: string): Buffer {
  let key = keys.get(masterSecret);
  if (!key) {
    key = scryptSync(Buffer.from(masterSecret, 'utf8'), SALT, 32, SCRYPT);
    keys.set(masterSecret, key);
  }
  return key;
}

/** The additional authenticated data of one user's secret: a sealed secret does not open in another user's row. */
function slot(userId: string): string {
  return `users.totp_secret/${userId}`;
}

/**
 * Seals and opens TOTP secrets stored in `users.totp_secret`: the `enc:v1:` format of the
 * environment secrets (AES-256-GCM, fresh nonce), under a key derived from SIGNING_MASTER_SECRET,
 * bound to the user's id.
 */
export class TotpSecretBox {
  private readonly key: Buffer;

  constructor(masterSecret: string) {
    this.key = keyFor(masterSecret);
  }

  /** Encrypts a base32 secret for one user. */
  seal(userId: string, secret: string): string {
    return sealSecret(this.key, slot(userId), secret);
  }

  /**
   * The base32 secret of a stored value. Guarantees: an `enc:v1:` value opens only for its own
   * user under the same master secret (SecretError otherwise, never garbage); a value not yet
   * sealed (written before secrets were encrypted) is returned as it is.
   */
  open(userId: string, stored: string): string {
    return isEncryptedValue(stored) ? openSecret(this.key, slot(userId), stored) : stored;
  }

  /** Whether a stored value still needs sealing. */
  static isPlain(stored: string | null): stored is string {
    return stored !== null && !isEncryptedValue(stored);
  }
}

/**
 * Seals every TOTP secret still stored in plain text (the API runs it when it starts). Guarantees:
 * each row is replaced by compare-and-set, so running it in several processes at once, or twice,
 * is safe and a secret changed meanwhile is never overwritten; returns how many rows it sealed.
 */
export async function sealPlainTotpSecrets(db: Executor, box: TotpSecretBox): Promise<number> {
  let sealed = 0;
  for (;;) {
    const batch = await listPlainTotpSecrets(db, 500);
    let changed = 0;
    for (const row of batch) {
      if (await replacePlainTotpSecret(db, row.id, row.totpSecret, box.seal(row.id, row.totpSecret))) changed += 1;
    }
    sealed += changed;
    if (batch.length < 500 || changed === 0) return sealed;
  }
}
