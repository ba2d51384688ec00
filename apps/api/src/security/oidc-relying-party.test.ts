import { normaliseNip } from './oidc-relying-party';

describe('OpenID Connect relying party helpers', () => {
  it('should read a NIP as civil servants write it and refuse anything else', () => {
    expect(normaliseNip('19870101 201001 1 001')).toBe('198701012010011001');
    expect(normaliseNip('198701012010011001')).toBe('198701012010011001');
    expect(normaliseNip('19870101.201001.1.001')).toBe('198701012010011001');
    for (const bad of ['', '1987', '19870101 201001 1 0011', 'NIP198701012010011001', null, undefined, { nip: 1 }, 1.5]) {
      expect(normaliseNip(bad)).toBeNull();
    }
  });
});
