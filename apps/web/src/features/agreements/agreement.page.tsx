import { Role, type AgreementDto } from '@betang/core';
import { useState } from 'react';
import { agreementDocumentUrl } from '../../api/agreements.api';
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api/api-context';
import { agreementQuery } from '../../api/queries';
import { useI18n } from '../../i18n/use-i18n';
import { useParams } from 'react-router';
import { Link } from '../../ui/link';
import { useMe } from '../../session/session-context';
import { ErrorAlert, LiveRegion, Loading } from '../../ui/alert';
import { Page } from '../../ui/page';
import { StatusBadge } from '../../ui/status-badge';
import { AGREEMENT_STATUS, SIGNER_ROLE } from './agreement-labels';
import { PendingDocumentCard } from './pending-document-card';
import { PdfViewer } from './pdf-viewer';
import { SignAgreementForm } from './sign-agreement-form';
import { AgreementLeases } from '../leases/agreement-leases';
import { RenewalCard } from '../leases/renewal-card';

/** True when the signed-in user is the signer the agreement waits for. */
export function awaitsMe(
  agreement: Pick<AgreementDto, 'nextSignerRole' | 'institutionId'>,
  me: { roles: readonly Role[]; institution: { id: string } | null },
): boolean {
  if (agreement.nextSignerRole === 'institution_head')
    return me.roles.includes(Role.InstitutionHead) && me.institution?.id === agreement.institutionId;
  if (agreement.nextSignerRole === 'dc_head') return me.roles.includes(Role.DcHead);
  return false;
}

/** One agreement: its facts, the PDF in the page, who signed when, and signing when it awaits this user. */
export function AgreementPage() {
  const { t, date, dateTime, number } = useI18n();
  const me = useMe();
  const id = useParams().id ?? '';
  const loaded = useQuery(agreementQuery(useApi(), id));
  const [signed, setSigned] = useState<AgreementDto | null>(null);
  const [frameKey, setFrameKey] = useState(0);
  const agreement = signed ?? loaded.data;

  if (!agreement) {
    return (
      <Page title={t('agreements.detailTitle')}>
        {loaded.isFetching ? <Loading /> : null}
        <ErrorAlert error={loaded.error} />
      </Page>
    );
  }
  const status = AGREEMENT_STATUS[agreement.status];
  const c = agreement.ceiling;
  return (
    <Page title={t('agreements.detailTitle')}>
      <p>
        <Link to="/agreements">{t('agreements.back')}</Link>
      </p>
      <LiveRegion kind="success">{signed ? t('agreements.signed', { status: t(status.key) }) : null}</LiveRegion>
      <section className="card" aria-labelledby="agreement-facts-title">
        <h2 id="agreement-facts-title">{agreement.number}</h2>
        <dl className="facts">
          <dt>{t('agreements.statusLabel')}</dt>
          <dd>
            <StatusBadge tone={status.tone}>{t(status.key)}</StatusBadge>
          </dd>
          <dt>{t('agreements.institution')}</dt>
          <dd>{agreement.institutionName}</dd>
          <dt>{t('agreements.term')}</dt>
          <dd>
            {t('agreements.termRange', { start: date(agreement.termStart), end: date(agreement.termEnd) })} ·{' '}
            {agreement.daysLeft >= 0 ? t('agreements.daysLeft', { days: number(agreement.daysLeft, 0) }) : t('agreements.ended')}
          </dd>
          <dt>{t('agreements.ceiling')}</dt>
          <dd>
            {t('agreements.ceilingValue', {
              cores: c.cores,
              memory: number(c.memoryMiB / 1024),
              disk: c.diskGiB,
              vms: c.vmCount,
              ips: c.ipCount,
            })}
          </dd>
          <dt>{t('agreements.applications')}</dt>
          <dd>{agreement.applications.map((a) => a.name).join(', ') || '—'}</dd>
          <dt>{t('agreements.verification')}</dt>
          <dd>
            <Link to={`/verify/${agreement.verificationCode}`}>{t('agreements.verifyLink')}</Link>
          </dd>
          {agreement.revokedAt ? (
            <>
              <dt>{t('agreements.revoked')}</dt>
              <dd>{t('agreements.revokedValue', { at: dateTime(agreement.revokedAt), reason: agreement.revokeReason ?? '' })}</dd>
            </>
          ) : null}
        </dl>
      </section>
      <RenewalCard agreement={agreement} />
      {agreement.status === 'in_force' || agreement.status === 'expired' ? <AgreementLeases agreement={agreement} /> : null}
      <section className="card" aria-labelledby="signatures-title">
        <h2 id="signatures-title">{t('agreements.signaturesTitle')}</h2>
        {agreement.signatures.length === 0 ? <p>{t('agreements.noSignatures')}</p> : null}
        <ol className="timeline">
          {agreement.signatures.map((s) => (
            <li key={s.position}>
              <strong>{s.signerName}</strong> — {t(SIGNER_ROLE[s.role])}
              <span className="block muted small">{t('agreements.signedAt', { at: dateTime(s.signedAt) })}</span>
            </li>
          ))}
        </ol>
        {agreement.nextSignerRole && !awaitsMe(agreement, me) ? (
          <p className="muted">{t('agreements.waitingFor', { role: t(SIGNER_ROLE[agreement.nextSignerRole]) })}</p>
        ) : null}
      </section>
      {agreement.pendingDocument ? (
        <PendingDocumentCard
          key={agreement.pendingDocument.sha256}
          agreement={agreement}
          pending={agreement.pendingDocument}
          onDecided={(a) => {
            setSigned(a);
            setFrameKey((n) => n + 1);
          }}
        />
      ) : null}
      {awaitsMe(agreement, me) ? (
        <SignAgreementForm
          key={agreement.currentSha256}
          agreement={agreement}
          onSigned={(a) => {
            setSigned(a);
            setFrameKey((n) => n + 1);
          }}
          onStale={() => {
            setSigned(null);
            void loaded.refetch();
            setFrameKey((n) => n + 1);
          }}
        />
      ) : null}
      <section className="card" aria-labelledby="document-title">
        <h2 id="document-title">{t('agreements.documentTitle')}</h2>
        <p>
          <a href={agreementDocumentUrl(agreement.id)} download>
            {t('agreements.download')}
          </a>
        </p>
        <PdfViewer
          key={frameKey}
          url={`${agreementDocumentUrl(agreement.id)}?v=${agreement.currentSha256}`}
          title={t('agreements.documentFrame', { number: agreement.number })}
        />
      </section>
    </Page>
  );
}
