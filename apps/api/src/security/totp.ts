import { createBase32Plugin, type Base32Plugin } from '@otplib/core';
import { NodeCryptoPlugin } from '@otplib/plugin-crypto-node';
import { generateSync, getTimeStepUsed, verifySync } from '@otplib/totp';
import { base32 as rfc4648Base32 } from '@scure/base';
import { randomBytes } from 'node:crypto';

// otplib's own base32 plugin needs @scure/base 2, which is ESM-only and does not load under
// jest's CommonJS runtime; the 1.2 line of the same library is dual CJS/ESM and encodes alike.
const base32: Base32Plugin = createBase32Plugin({
  name: 'scure-1.2',
  encode: (bytes) => rfc4648Base32.encode(bytes).replace(/=+$/, ''),
  // Authenticator apps show secrets in groups, lower case, without padding: all are accepted.
  decode: (text) => {
    const clean = text.toUpperCase().replace(/[\s=]/g, '');
    return rfc4648Base32.decode(clean.padEnd(Math.ceil(clean.length / 8) * 8, '='));
  },
});
const crypto = new NodeCryptoPlugin();

/** The parameters every authenticator app assumes (and the otpauth:// URL states). */
const TOTP_PARAMETERS = { algorithm: 'sha1', digits: 6, period: 30 } as const;
const CODE = /^\d{6}$/;

/** Encodes bytes as RFC 4648 base32 without padding (what authenticator apps expect). */
export function base32Encode(bytes: Uint8Array): string {
  return base32.encode(bytes);
}

/** Decodes RFC 4648 base32 (case-insensitive, padding and spaces ignored); throws on any other character. */
export function base32Decode(text: string): Buffer {
  return Buffer.from(base32.decode(text));
}

/** A new random TOTP secret (160 bits, base32, 32 characters). */
export function newTotpSecret(): string {
  return base32Encode(randomBytes(20));
}

/** RFC 6238 TOTP code (SHA-1, 6 digits, 30 s step) for a moment (ms since the epoch). */
export function totpCode(secretBase32: string, at: number = Date.now()): string {
  return generateSync({ ...TOTP_PARAMETERS, secret: secretBase32, epoch: Math.floor(at / 1000), crypto, base32 });
}

/** The RFC 6238 time-step (30 s counter) of a moment. */
export function totpStep(at: number = Date.now()): number {
  return getTimeStepUsed(Math.floor(at / 1000), TOTP_PARAMETERS.period);
}

/**
 * The time-step a TOTP code belongs to, allowing one step of clock drift either way; null when
 * the code matches none or is not six digits. The comparison is constant-time (otplib).
 * Guarantees nothing about reuse: the caller must accept each step once (consumeTotpStep).
 */
export function matchTotpStep(secretBase32: string, code: string, at: number = Date.now()): number | null {
  if (!CODE.test(code)) return null;
  const result = verifySync({
    ...TOTP_PARAMETERS,
    secret: secretBase32,
    token: code,
    epoch: Math.floor(at / 1000),
    // One whole period either way: the codes of the previous, current and next steps.
    epochTolerance: TOTP_PARAMETERS.period,
    crypto,
    base32,
  });
  return result.valid ? result.timeStep : null;
}
