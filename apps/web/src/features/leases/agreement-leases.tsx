import { Role, type AgreementDto, type VmLease } from '@betang/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi } from '../../api/api-context';
import { cancelLeaseDestruction, extendLease, listAgreementLeases, restartLeasedVm } from '../../api/leases.api';
import { useI18n } from '../../i18n/use-i18n';
import { holdsAny, useMe } from '../../session/session-context';
import { ErrorAlert, LiveRegion, Loading } from '../../ui/alert';
import { ConfirmPanel } from '../../ui/confirm-panel';
import { Field } from '../../ui/field';
import { Link } from '../../ui/link';
import { LeaseSummary } from './lease-dates';

type Pending = { kind: 'extend' | 'restart' | 'cancel'; lease: VmLease } | null;
type Order = { kind: 'extend'; lease: VmLease; until: string } | { kind: 'restart' | 'cancel'; lease: VmLease };

/**
 * "VPSs this agreement covers": each VM with its lease step and days; operators extend a grace
 * period, restart a VM its lease stopped, or cancel its pending destruction — each confirmed.
 */
export function AgreementLeases({ agreement }: { agreement: AgreementDto }) {
  const { t, date } = useI18n();
  const api = useApi();
  const operator = holdsAny(useMe().roles, [Role.Admin, Role.Operator]);
  const leases = useQuery({
    queryKey: ['agreements', 'detail', agreement.id, 'leases'],
    queryFn: () => listAgreementLeases(api, agreement.id),
  });
  const [pending, setPending] = useState<Pending>(null);
  const [until, setUntil] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const order = useMutation({
    mutationFn: async (o: Order): Promise<string> => {
      const name = o.lease.vmName;
      if (o.kind === 'extend') {
        await extendLease(api, o.lease.vmId, o.until);
        return t('leases.extended', { name, date: date(o.until) });
      }
      if (o.kind === 'restart') {
        await restartLeasedVm(api, o.lease.vmId);
        return t('leases.restarted', { name });
      }
      await cancelLeaseDestruction(api, o.lease.vmId);
      return t('leases.cancelled', { name });
    },
    onSuccess: (message) => {
      setDone(message);
      setPending(null);
      setUntil('');
      void leases.refetch();
    },
  });
  const items = leases.data?.items;

  return (
    <section className="card" aria-labelledby="leases-title">
      <h2 id="leases-title">{t('leases.title')}</h2>
      <p className="muted">{t('leases.intro')}</p>
      {leases.isFetching && !items ? <Loading /> : null}
      <ErrorAlert error={leases.error} />
      <LiveRegion kind="success">{done}</LiveRegion>
      <ErrorAlert error={order.error} />
      {items && items.length === 0 ? <p>{t('leases.empty')}</p> : null}
      {items && items.length > 0 ? (
        <table className="data-table">
          <caption className="visually-hidden">{t('leases.tableCaption', { number: agreement.number })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('leases.col.vm')}</th>
              <th scope="col">{t('leases.col.state')}</th>
              {operator ? <th scope="col">{t('leases.col.actions')}</th> : null}
            </tr>
          </thead>
          <tbody>
            {items.map((lease) => (
              <tr key={lease.vmId} data-testid="lease-row">
                <td>
                  <Link to="/vms">{lease.vmName}</Link>
                </td>
                <td>
                  <LeaseSummary lease={lease} />
                </td>
                {operator ? (
                  <td>
                    <div className="form-actions">
                      {lease.state === 'grace' ? (
                        <button
                          type="button"
                          className="button small"
                          aria-label={t('leases.extendLabel', { name: lease.vmName })}
                          onClick={() => setPending({ kind: 'extend', lease })}
                        >
                          {t('leases.extend')}
                        </button>
                      ) : null}
                      {lease.state === 'stopped' ? (
                        <button
                          type="button"
                          className="button small"
                          aria-label={t('leases.restartLabel', { name: lease.vmName })}
                          onClick={() => setPending({ kind: 'restart', lease })}
                        >
                          {t('leases.restart')}
                        </button>
                      ) : null}
                      {lease.state === 'stopped' && lease.destroyOn ? (
                        <button
                          type="button"
                          className="button small"
                          aria-label={t('leases.cancelLabel', { name: lease.vmName })}
                          onClick={() => setPending({ kind: 'cancel', lease })}
                        >
                          {t('leases.cancelDestruction')}
                        </button>
                      ) : null}
                    </div>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {pending?.kind === 'extend' ? (
        <ConfirmPanel
          title={t('leases.extendLabel', { name: pending.lease.vmName })}
          confirmLabel={t('leases.extendSubmit')}
          cancelLabel={t('common.cancel')}
          busy={order.isPending}
          onConfirm={() => order.mutate({ kind: 'extend', lease: pending.lease, until })}
          onCancel={() => setPending(null)}
        >
          <Field label={t('leases.extendUntil')} type="date" value={until} onValue={setUntil} required />
        </ConfirmPanel>
      ) : null}
      {pending?.kind === 'restart' ? (
        <ConfirmPanel
          title={t('leases.restartTitle', { name: pending.lease.vmName })}
          confirmLabel={t('leases.restart')}
          cancelLabel={t('common.cancel')}
          busy={order.isPending}
          onConfirm={() => order.mutate({ kind: 'restart', lease: pending.lease })}
          onCancel={() => setPending(null)}
        >
          <p>{t('leases.restartBody')}</p>
        </ConfirmPanel>
      ) : null}
      {pending?.kind === 'cancel' ? (
        <ConfirmPanel
          title={t('leases.cancelTitle', { name: pending.lease.vmName })}
          confirmLabel={t('leases.cancelDestruction')}
          cancelLabel={t('common.cancel')}
          busy={order.isPending}
          onConfirm={() => order.mutate({ kind: 'cancel', lease: pending.lease })}
          onCancel={() => setPending(null)}
        >
          <p>{t('leases.cancelBody')}</p>
        </ConfirmPanel>
      ) : null}
    </section>
  );
}
