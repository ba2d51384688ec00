import { useMutation } from '@tanstack/react-query';
import { Role, type AgreementDto, type PendingAgreementDocumentDto } from '@betang/core';
import { useId, useState } from 'react';
import { useApi } from '../../api/api-context';
import { acceptPendingDocument, discardPendingDocument, pendingDocumentUrl } from '../../api/agreements.api';
import { useI18n } from '../../i18n/use-i18n';
import { holdsAny, useMe } from '../../session/session-context';
import { FormAlert } from '../../ui/alert';

/**
 * An externally signed upload no configured trust root vouches for: who the certificates name,
 * the document to review, and for operators and admins the decision. Accepting sends the hash
 * shown (a replaced upload → 409) and is refused for the uploader; both answers come from the API.
 */
export function PendingDocumentCard({
  agreement,
  pending,
  onDecided,
}: {
  agreement: AgreementDto;
  pending: PendingAgreementDocumentDto;
  onDecided(a: AgreementDto): void;
}) {
  const { t, dateTime } = useI18n();
  const api = useApi();
  const reviewedId = useId();
  const mayDecide = holdsAny(useMe().roles, [Role.Operator, Role.Admin]);
  const [reviewed, setReviewed] = useState(false);
  const decision = useMutation({
    mutationFn: (accept: boolean) =>
      accept ? acceptPendingDocument(api, agreement.id, pending.sha256) : discardPendingDocument(api, agreement.id),
    onSuccess: onDecided,
  });

  return (
    <section className="card" aria-labelledby="pending-title">
      <h2 id="pending-title">{t('agreements.pendingTitle')}</h2>
      <p>{t('agreements.pendingIntro', { at: dateTime(pending.uploadedAt), by: pending.uploadedByName ?? '—' })}</p>
      <FormAlert error={decision.error} fieldErrors={{}} />
      <ol className="timeline">
        {pending.signers.map((s, i) => (
          <li key={i}>
            <strong>{s.name || '—'}</strong> — {s.trusted ? t('agreements.pendingTrusted') : t('agreements.pendingUntrusted')}
            <span className="block muted small">
              {t('agreements.pendingIdentity', { serial: s.serialNumbers.join(', ') || '—', email: s.emails.join(', ') || '—' })}
              {s.signedAt ? ` · ${t('agreements.signedAt', { at: dateTime(s.signedAt) })}` : ''}
            </span>
          </li>
        ))}
      </ol>
      <p>
        <a href={pendingDocumentUrl(agreement.id)} download>
          {t('agreements.pendingDownload')}
        </a>{' '}
        <code className="hash">{pending.sha256}</code>
      </p>
      {mayDecide ? (
        <div className="field-wide">
          <label className="choice" htmlFor={reviewedId}>
            <input id={reviewedId} type="checkbox" checked={reviewed} onChange={(event) => setReviewed(event.target.checked)} />
            {t('agreements.pendingReviewed')}
          </label>
          <div className="form-actions">
            <button
              type="button"
              className="button primary"
              disabled={!reviewed || decision.isPending}
              onClick={() => decision.mutate(true)}
            >
              {t('agreements.pendingAccept')}
            </button>
            <button type="button" className="button" disabled={decision.isPending} onClick={() => decision.mutate(false)}>
              {t('agreements.pendingDiscard')}
            </button>
          </div>
        </div>
      ) : (
        <p className="muted">{t('agreements.pendingWaiting')}</p>
      )}
    </section>
  );
}
