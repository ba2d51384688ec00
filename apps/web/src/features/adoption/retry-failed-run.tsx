import { Role, type VpsRequestDto } from '@betang/core';
import { useMutation } from '@tanstack/react-query';
import { useApi } from '../../api/api-context';
import { retryRequest } from '../../api/operator-queue.api';
import { useI18n } from '../../i18n/use-i18n';
import { holdsAny, useMe } from '../../session/session-context';
import { ErrorAlert } from '../../ui/alert';
import { retryable } from './retryable';

type Props = {
  request: VpsRequestDto;
  /** The request's runs, oldest first (the live view's). */
  runs: readonly { kind: string | null; status: string }[];
  onRetried(updated: VpsRequestDto): void;
};

/** The operators' retry of a failed run on the request page (POST /vps-requests/:id/retry, as on the provisioning board). */
export function RetryFailedRun({ request, runs, onRetried }: Props) {
  const { t } = useI18n();
  const api = useApi();
  const me = useMe();
  const retry = useMutation({ mutationFn: () => retryRequest(api, request.id), onSuccess: onRetried });
  if (!holdsAny(me.roles, [Role.Admin, Role.Operator]) || !retryable(request, runs)) return null;
  return (
    <>
      <ErrorAlert error={retry.error} />
      <button type="button" className="button primary" disabled={retry.isPending} onClick={() => retry.mutate()}>
        {t('opBoard.retry', { hostname: request.hostname })}
      </button>
    </>
  );
}
