import { ZApproveBody, ZRejectBody, type VpsRequestDto } from '@betang/core';
import { useApi } from '../../api/api-context';
import { approveRequest, rejectRequest } from '../../api/operator-queue.api';
import { useI18n } from '../../i18n/use-i18n';
import { FormAlert } from '../../ui/alert';
import { useContractForm } from '../../ui/use-contract-form';
import { TextAreaField } from '../../ui/textarea-field';

type Props = { request: VpsRequestDto; onDecided(request: VpsRequestDto, decision: 'approved' | 'rejected'): void };

/** Approve (optional comment) and reject (required reason) for one request; the API's refusal is announced. */
export function DecisionForms({ request, onDecided }: Props) {
  const { t } = useI18n();
  const api = useApi();
  const approve = useContractForm({
    schema: ZApproveBody,
    defaultValues: { comment: '' },
    toBody: (v) => (v.comment.trim() ? { comment: v.comment.trim() } : {}),
  });
  const reject = useContractForm({
    schema: ZRejectBody,
    defaultValues: { reason: '' },
    extraErrors: (v): Record<string, string> => (v.reason.trim() ? {} : { reason: t('opQueue.reasonRequired') }),
  });

  return (
    <>
      <form
        aria-labelledby="approve-title"
        onSubmit={approve.onSubmit(async (body) => onDecided(await approveRequest(api, request.id, body.comment), 'approved'))}
        noValidate
        className="inline-form"
      >
        <h3 id="approve-title">{t('opQueue.approveTitle')}</h3>
        <FormAlert error={approve.error} fieldErrors={approve.fieldErrors} />
        <TextAreaField
          label={t('opQueue.comment')}
          hint={t('opQueue.commentHint')}
          {...approve.bind('comment')}
          maxLength={2000}
          rows={2}
        />
        <button type="submit" className="button primary" disabled={approve.busy}>
          {t('opQueue.approve')}
        </button>
      </form>
      <form
        aria-labelledby="reject-title"
        onSubmit={reject.onSubmit(async (body) => onDecided(await rejectRequest(api, request.id, body.reason.trim()), 'rejected'))}
        noValidate
        className="inline-form"
      >
        <h3 id="reject-title">{t('opQueue.rejectTitle')}</h3>
        <FormAlert error={reject.error} fieldErrors={reject.fieldErrors} />
        <TextAreaField
          label={t('opQueue.reason')}
          hint={t('opQueue.reasonHint')}
          {...reject.bind('reason')}
          required
          maxLength={2000}
          rows={3}
        />
        <button type="submit" className="button danger" disabled={reject.busy}>
          {t('opQueue.reject')}
        </button>
      </form>
    </>
  );
}
