import { base32Decode, base32Encode, matchTotpStep, newTotpSecret, totpCode, totpStep } from './totp';

// RFC 6238 Appendix B: the SHA-1 seed is the ASCII string "12345678901234567890". The RFC lists
// 8-digit codes; a 6-digit code is the same value modulo 10^6, i.e. its last six digits.
const RFC_SEED = base32Encode(Buffer.from('12345678901234567890', 'ascii'));
const RFC_VECTORS: Array<[seconds: number, eightDigits: string]> = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('TOTP (RFC 6238 over otplib)', () => {
  it('should give the RFC 6238 Appendix B SHA-1 codes', () => {
    expect(RFC_SEED).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    for (const [seconds, code] of RFC_VECTORS) expect(totpCode(RFC_SEED, seconds * 1000)).toBe(code.slice(-6));
  });

  it('should match the current, previous and next step, and nothing further', () => {
    const at = 1234567890_000;
    const step = totpStep(at);
    expect(step).toBe(Math.floor(1234567890 / 30));
    expect(matchTotpStep(RFC_SEED, totpCode(RFC_SEED, at), at)).toBe(step);
    expect(matchTotpStep(RFC_SEED, totpCode(RFC_SEED, at - 30_000), at)).toBe(step - 1);
    expect(matchTotpStep(RFC_SEED, totpCode(RFC_SEED, at + 30_000), at)).toBe(step + 1);
    expect(matchTotpStep(RFC_SEED, totpCode(RFC_SEED, at - 60_000), at)).toBeNull();
    expect(matchTotpStep(RFC_SEED, totpCode(RFC_SEED, at + 60_000), at)).toBeNull();
  });

  it('should answer null, never throw, for a code that is not six digits', () => {
    for (const code of ['', '12345', '1234567', 'abcdef', '12 456', '٠١٢٣٤٥']) expect(matchTotpStep(RFC_SEED, code)).toBeNull();
  });

  it('should read a secret typed as an app shows it: lower case, grouped, padded', () => {
    const at = 2000000000_000;
    const typed = 'gezd gnbv gy3t qojq gezd gnbv gy3t qojq';
    expect(matchTotpStep(typed, '279037', at)).toBe(totpStep(at));
    expect(base32Decode('GEZDGNBVGY3TQOJQ====').toString('ascii')).toBe('1234567890');
    expect(() => base32Decode('GEZD1')).toThrow();
  });

  it('should make 160-bit secrets that round-trip through base32', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Decode(secret)).toHaveLength(20);
    expect(base32Encode(base32Decode(secret))).toBe(secret);
    expect(newTotpSecret()).not.toBe(secret);
  });
});
