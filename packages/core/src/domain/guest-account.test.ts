import { ZCreateInstitutionBody } from '../contracts/institutions';
import { duplicateSshKeyIndexes } from '../ssh/ssh-key-set';
import { RESERVED_GUEST_USERNAMES, guestUsernameProblem, institutionCodeProblem } from './guest-account';

describe('guest account rules', () => {
  it('should refuse every reserved name as an institution code, in both languages', () => {
    for (const name of RESERVED_GUEST_USERNAMES) {
      const code = name.toUpperCase();
      if (!/^[A-Z][A-Z0-9-]{1,31}$/.test(code)) continue;
      expect([code, institutionCodeProblem(code)?.id]).toEqual([code, expect.stringContaining('dicadangkan')]);
      expect(ZCreateInstitutionBody.safeParse({ code, name: 'Instansi Uji' }).success).toBe(false);
    }
    expect(institutionCodeProblem('SYSTEMD-RESOLVE')).not.toBeNull();
    expect(institutionCodeProblem('BIRO-ADPIM')).toBeNull();
    expect(guestUsernameProblem('9lives')?.en).toMatch(/not valid/);
  });

  it('should find a key listed again under another comment, by type and blob', () => {
    expect(duplicateSshKeyIndexes(['ssh-ed25519 AAAA a@b', 'ssh-ed25519 AAAB a@b', 'ssh-ed25519 AAAA c@d', 'ssh-ed25519 AAAA'])).toEqual([
      2, 3,
    ]);
    expect(duplicateSshKeyIndexes(['ssh-ed25519 AAAA', 'ssh-rsa AAAA'])).toEqual([]);
  });
});
