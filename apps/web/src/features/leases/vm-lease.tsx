import type { VmDto } from '@betang/core';
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api/api-context';
import { getVmLease } from '../../api/leases.api';
import { useI18n } from '../../i18n/use-i18n';
import { Link } from '../../ui/link';
import { LeaseSummary } from './lease-dates';

/** The VM card's lease line: the agreement covering it, or the lease step it is in and its days (live VMs only). */
export function VmLease({ vm }: { vm: VmDto }) {
  const { t } = useI18n();
  const api = useApi();
  const live = vm.state === 'running' || vm.state === 'stopped';
  const lease = useQuery({ queryKey: ['vms', vm.id, 'lease', vm.state], queryFn: () => getVmLease(api, vm.id), enabled: live });
  if (!live || !lease.data) return null;
  const agreement = lease.data.agreement;
  return (
    <p aria-label={t('leases.vmLeaseLabel', { name: vm.name })}>
      <strong>{t('leases.vmLease')}:</strong> <LeaseSummary lease={lease.data} />
      {agreement ? (
        <>
          {' '}
          <Link to={`/agreements/${agreement.id}`}>{t('leases.coveredBy', { number: agreement.number })}</Link>
        </>
      ) : null}
    </p>
  );
}
