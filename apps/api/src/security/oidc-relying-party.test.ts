import { isMultiFactor, normaliseNip } from './oidc-relying-party';

describe('OpenID Connect relying party helpers', () => {
  it('should read a NIP as civil servants write it and refuse anything else', () => {
    expect(normaliseNip('19870101 201001 1 001')).toBe('198701012010011001');
    expect(normaliseNip('198701012010011001')).toBe('198701012010011001');
    expect(normaliseNip('19870101.201001.1.001')).toBe('198701012010011001');
    for (const bad of ['', '1987', '19870101 201001 1 0011', 'NIP198701012010011001', null, undefined, { nip: 1 }, 1.5]) {
      expect(normaliseNip(bad)).toBeNull();
    }
  });

  it('should count two kinds of factor, `mfa` or a configured acr as multi-factor, and nothing else', () => {
    expect(isMultiFactor(['pwd', 'otp'], undefined)).toBe(true);
    expect(isMultiFactor(['mfa'], undefined)).toBe(true);
    expect(isMultiFactor(['hwk', 'fpt'], undefined)).toBe(true);
    expect(isMultiFactor(undefined, '2', ['2'])).toBe(true);
    // One kind of factor, however many times, is one factor.
    expect(isMultiFactor(['pwd'], undefined)).toBe(false);
    expect(isMultiFactor(['pwd', 'pin', 'kba'], undefined)).toBe(false);
    expect(isMultiFactor(['otp', 'sms'], '1', ['2'])).toBe(false);
    // Unknown or malformed claims never pass.
    expect(isMultiFactor(['pwd', 'magic'], undefined)).toBe(false);
    expect(isMultiFactor('pwd otp', undefined)).toBe(false);
    expect(isMultiFactor([1, 2], undefined)).toBe(false);
    expect(isMultiFactor(undefined, undefined)).toBe(false);
    expect(isMultiFactor(undefined, 2, ['2'])).toBe(false);
  });
});
