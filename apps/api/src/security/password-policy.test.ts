import { AppError, ErrorCode } from '@betang/core';
import { assertAcceptablePassword, judgePassword } from './password-policy';

const owner = { email: 'siti.rahma@kalteng.go.id', name: 'Siti Rahmawati' };

describe('password policy (zxcvbn-ts with the common-password list)', () => {
  it.each(['password1234', 'qwertyuiop123', '123456789012', 'iloveyou2026', 'Password123!', 'admin1234567', 'P@ssw0rd2026'])(
    'should refuse the common password %s, and variations of one',
    (password) => {
      expect(judgePassword(password, owner).acceptable).toBe(false);
    },
  );

  it("should refuse a password made of the owner's own e-mail or name, or of the deployment's name", () => {
    expect(judgePassword('siti.rahma2026', owner).acceptable).toBe(false);
    expect(judgePassword('SitiRahmawati1', owner).acceptable).toBe(false);
    expect(judgePassword('betangkalteng', owner).acceptable).toBe(false);
    // The same string is fine for someone it does not describe.
    expect(judgePassword('SitiRahmawati1', { email: 'budi@kalteng.go.id' }).score).toBeGreaterThan(
      judgePassword('SitiRahmawati1', owner).score,
    );
  });

  it('should refuse Indonesian words on their own', () => {
    expect(judgePassword('selamatpagi', owner).acceptable).toBe(false);
  });

  it.each(['Kata-Sandi-Uji-2026!', 'rumah hijau di tepi sungai kahayan', 'tR7#qLm2$vXp9w'])(
    'should accept the hard-to-guess password %s',
    (password) => {
      expect(judgePassword(password, owner).acceptable).toBe(true);
    },
  );

  it('should explain a refusal in Indonesian and English with the field path', () => {
    let caught: unknown;
    try {
      assertAcceptablePassword('password1234', owner, 'body.newPassword');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    const error = caught as AppError;
    expect(error.code).toBe(ErrorCode.ValidationFailed);
    expect(error.text.id).toMatch(/terlalu mudah ditebak/);
    expect(error.text.en).toMatch(/too easy to guess/);
    expect(error.text.id).not.toBe(error.text.en);
    expect(error.details).toEqual([{ path: 'body.newPassword', message: 'too easy to guess', code: 'password_too_weak' }]);
  });
});
