import type { VerificationResult } from '@betang/core';
import type { MessageKey } from '../../i18n/i18n';
import { useI18n } from '../../i18n/use-i18n';
import { AGREEMENT_STATUS } from '../agreements/agreement-labels';

const REASON: Record<string, MessageKey> = {
  UNKNOWN_DOCUMENT: 'verify.reason.UNKNOWN_DOCUMENT',
  SIGNATURE_INVALID: 'verify.reason.SIGNATURE_INVALID',
  SIGNATURE_MALFORMED: 'verify.reason.SIGNATURE_MALFORMED',
  MODIFIED_AFTER_SIGNING: 'verify.reason.MODIFIED_AFTER_SIGNING',
  NOT_A_RECORDED_VERSION: 'verify.reason.NOT_A_RECORDED_VERSION',
  SIGNATURE_UNTRUSTED: 'verify.reason.SIGNATURE_UNTRUSTED',
};

const ROLE: Record<string, MessageKey> = {
  institution_head: 'agreements.signer.institution_head',
  dc_head: 'agreements.signer.dc_head',
  external: 'agreements.signer.external',
};

/** The verdict on an agreement: genuine or not (and why), in force / expired / revoked, who signed when. */
export function VerificationResultView({ result }: { result: VerificationResult }) {
  const { t, date, dateTime } = useI18n();
  const a = result.agreement;
  const verdict = result.valid ? 'verify.valid' : result.genuine ? 'verify.genuineNotValid' : 'verify.notGenuine';
  return (
    <section className={`verdict ${result.valid ? 'verdict-good' : 'verdict-bad'}`} aria-labelledby="verdict-title" data-testid="verdict">
      <h2 id="verdict-title">{t(verdict)}</h2>
      {!result.genuine && result.reason ? <p>{REASON[result.reason] ? t(REASON[result.reason]!) : result.reason}</p> : null}
      {result.genuine && !result.fullySigned ? <p>{t('verify.notFullySigned')}</p> : null}
      {a ? (
        <dl className="facts">
          <dt>{t('agreements.number')}</dt>
          <dd>{a.number}</dd>
          <dt>{t('agreements.institution')}</dt>
          <dd>{a.institutionName}</dd>
          <dt>{t('agreements.statusLabel')}</dt>
          <dd>{t(AGREEMENT_STATUS[a.status].key)}</dd>
          <dt>{t('agreements.term')}</dt>
          <dd>{t('agreements.termRange', { start: date(a.termStart), end: date(a.termEnd) })}</dd>
          {a.revokedAt ? (
            <>
              <dt>{t('agreements.revoked')}</dt>
              <dd>{dateTime(a.revokedAt)}</dd>
            </>
          ) : null}
          <dt>{t('verify.sha256')}</dt>
          <dd>
            <code className="hash">{a.currentSha256}</code>
          </dd>
        </dl>
      ) : null}
      {result.signatures.length > 0 ? (
        <>
          <h3>{t('agreements.signaturesTitle')}</h3>
          <ul className="step-list">
            {result.signatures.map((s, index) => (
              <li key={`${s.name}-${index}`}>
                <strong>{s.name}</strong> — {ROLE[s.role] ? t(ROLE[s.role]!) : s.role} · {s.signedAt ? dateTime(s.signedAt) : '—'}
                {s.valid === false ? <span className="over"> {t('verify.signatureInvalid')}</span> : null}
                {s.valid !== false && s.trusted === false ? <span className="over"> {t('verify.signatureUntrusted')}</span> : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
