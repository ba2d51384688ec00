import { scryptSync } from 'node:crypto';
import { openSecret, sealSecret } from './aead';

// scrypt as for the other keys derived from SIGNING_MASTER_SECRET (N=2^15, r=8, p=1), once per
// process; a purpose-bound salt keeps this key apart from the TOTP and signing keys.
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const SALT = 'betang/provisioning_runs.params/v1';

const keys = new Map<string, Buffer>();

function keyFor(masterSecret: string): Buffer {
  let key = keys.get(masterSecret);
  if (!key) {
    key = scryptSync(Buffer.from(masterSecret, 'utf8'), SALT, 32, SCRYPT);
    keys.set(masterSecret, key);
  }
  return key;
}

/** The slot a VM's console password is sealed for: one VM, one purpose (the API seals, the worker opens). */
export function consolePasswordSlot(vmId: string): string {
  return `console-password/${vmId}`;
}

/**
 * Seals a secret a run carries from the API to the worker (a console password in
 * `provisioning_runs.params`): the `enc:v1:` format (AES-256-GCM, fresh nonce) under a key derived
 * from SIGNING_MASTER_SECRET, bound to a slot (e.g. the VM and the purpose), so a sealed value does
 * not open in another row or for another purpose.
 */
export class RunSecretBox {
  private readonly key: Buffer;

  constructor(masterSecret: string) {
    this.key = keyFor(masterSecret);
  }

  /** Encrypts `plaintext` for `slot`. */
  seal(slot: string, plaintext: string): string {
    return sealSecret(this.key, `run-secret/${slot}`, plaintext);
  }

  /** The plaintext of a value sealed for `slot`; SecretError (never garbage) otherwise. */
  open(slot: string, sealed: string): string {
    return openSecret(this.key, `run-secret/${slot}`, sealed);
  }
}
