import { ZApproveBody, ZRejectBody, type VpsRequestDto } from '@betang/core';
import { useState } from 'react';
import { useApi } from '../../api/api-context';
import { approveRequest, rejectRequest } from '../../api/operator-queue.api';
import { useI18n } from '../../i18n/use-i18n';
import { FormAlert } from '../../ui/alert';
import { useSubmit, validateWith } from '../../ui/form-state';
import { TextAreaField } from '../../ui/textarea-field';

type Props = { request: VpsRequestDto; onDecided(request: VpsRequestDto, decision: 'approved' | 'rejected'): void };

/** Approve (optional comment) and reject (required reason) for one request; the API's refusal is announced. */
export function DecisionForms({ request, onDecided }: Props) {
  const { t } = useI18n();
  const api = useApi();
  const approve = useSubmit();
  const reject = useSubmit();
  const [comment, setComment] = useState('');
  const [reason, setReason] = useState('');

  async function onApprove(event: React.FormEvent) {
    event.preventDefault();
    const body = comment.trim() ? { comment: comment.trim() } : {};
    const errors = validateWith(ZApproveBody, body);
    if (Object.keys(errors).length > 0) return approve.setFieldErrors(errors);
    const answer = await approve.submit(() => approveRequest(api, request.id, body.comment));
    if (answer) onDecided(answer, 'approved');
  }

  async function onReject(event: React.FormEvent) {
    event.preventDefault();
    const errors = validateWith(ZRejectBody, { reason });
    if (Object.keys(errors).length > 0) return reject.setFieldErrors({ reason: reason.trim() ? (errors.reason ?? '') : t('opQueue.reasonRequired') });
    const answer = await reject.submit(() => rejectRequest(api, request.id, reason.trim()));
    if (answer) onDecided(answer, 'rejected');
  }

  return (
    <>
      <form aria-labelledby="approve-title" onSubmit={onApprove} noValidate className="inline-form">
        <h3 id="approve-title">{t('opQueue.approveTitle')}</h3>
        <FormAlert error={approve.error} fieldErrors={approve.fieldErrors} />
        <TextAreaField label={t('opQueue.comment')} hint={t('opQueue.commentHint')} value={comment} onValue={setComment} maxLength={2000} error={approve.fieldErrors.comment} rows={2} />
        <button type="submit" className="button primary" disabled={approve.busy}>
          {t('opQueue.approve')}
        </button>
      </form>
      <form aria-labelledby="reject-title" onSubmit={onReject} noValidate className="inline-form">
        <h3 id="reject-title">{t('opQueue.rejectTitle')}</h3>
        <FormAlert error={reject.error} fieldErrors={reject.fieldErrors} />
        <TextAreaField label={t('opQueue.reason')} hint={t('opQueue.reasonHint')} value={reason} onValue={setReason} required maxLength={2000} error={reject.fieldErrors.reason} rows={3} />
        <button type="submit" className="button danger" disabled={reject.busy}>
          {t('opQueue.reject')}
        </button>
      </form>
    </>
  );
}
