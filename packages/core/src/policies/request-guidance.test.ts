import { agreementBlocker, ceilingBlocker, quotaBlocker, type AgreementStanding } from './request-guidance';

const pending = (over: Partial<Extract<AgreementStanding, { kind: 'pending' }>>): AgreementStanding => ({
  kind: 'pending',
  agreementId: '00000000-0000-4000-8000-000000000001',
  number: '000.1/7/DKIS/2026',
  status: 'awaiting_institution_head',
  termStart: '2026-01-01',
  institutionHeadName: 'Kepala Dinas Kesehatan',
  dcHeadName: 'Kepala Diskominfosantik',
  viewerIsNextSigner: false,
  ...over,
});

describe('agreementBlocker', () => {
  it('should name the head who must sign and where', () => {
    expect(agreementBlocker(pending({}), '2026-12-07')?.message.id).toBe(
      'Kepala Dinas Kesehatan belum menandatangani perjanjian 000.1/7/DKIS/2026 — minta beliau menandatanganinya di menu Perjanjian.',
    );
  });

  it('should tell the head to sign when the head is the one reading', () => {
    expect(agreementBlocker(pending({ viewerIsNextSigner: true }), '2026-12-07')?.message.id).toMatch(/^Anda belum menandatangani/);
  });

  it('should say nothing is to be done while the data-center head signs', () => {
    expect(agreementBlocker(pending({ status: 'awaiting_dc_head' }), '2026-12-07')?.message.id).toMatch(
      /menunggu tanda tangan Kepala Diskominfosantik .* tidak perlu berbuat apa-apa/,
    );
  });

  it('should give the start date of a signed agreement whose term has not begun', () => {
    expect(agreementBlocker(pending({ status: 'in_force', termStart: '2027-01-01' }), '2026-12-07')?.message.en).toMatch(
      /comes into force on 2027-01-01/,
    );
  });

  it('should ask for a new agreement when the last one ended or was revoked', () => {
    expect(agreementBlocker(pending({ status: 'revoked' }), '2026-12-07')?.message.id).toMatch(/dicabut.*perjanjian baru/);
    expect(agreementBlocker(pending({ status: 'expired' }), '2026-12-07')?.message.id).toMatch(/berakhir.*perjanjian baru/);
  });

  it('should name the head, or say who in general, when there is no agreement at all', () => {
    expect(agreementBlocker({ kind: 'none', institutionHeadName: 'dr. Suyuti' }, '2026-12-07')?.message.id).toMatch(/dr\. Suyuti/);
    expect(agreementBlocker({ kind: 'none', institutionHeadName: null }, '2026-12-07')?.message.en).toMatch(/The head of the institution/);
  });

  it('should not block with an agreement in force', () => {
    expect(agreementBlocker({ kind: 'in_force', number: 'x', termEnd: '2026-12-31' }, '2026-12-07')).toBeNull();
  });
});

describe('ceilingBlocker and quotaBlocker', () => {
  const limits = { cores: 4, memoryMiB: 8192, diskGiB: 100, vmCount: 2 };
  it('should name each exceeded dimension in the glossary words', () => {
    expect(quotaBlocker(limits, { cores: 5, memoryMiB: 9000, diskGiB: 100, vmCount: 2 })?.message.id).toMatch(/untuk vCPU, memori\./);
    expect(ceilingBlocker('N/1', { ...limits, ipCount: 4 }, { cores: 4, memoryMiB: 8192, diskGiB: 101, vmCount: 3 })?.message.id).toMatch(
      /plafon perjanjian N\/1 untuk penyimpanan, jumlah VM\./,
    );
  });

  it('should pass a size exactly at the limit', () => {
    expect(quotaBlocker(limits, limits)).toBeNull();
    expect(ceilingBlocker('N/1', { ...limits, ipCount: 4 }, limits)).toBeNull();
  });
});
