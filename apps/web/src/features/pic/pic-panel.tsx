import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api/api-context';
import { listInstitutionPic } from '../../api/pic.api';
import { useI18n } from '../../i18n/use-i18n';
import { ErrorAlert, Loading } from '../../ui/alert';
import { Link } from '../../ui/link';
import { StatusBadge } from '../../ui/status-badge';
import { PIC_PROBLEM_LABEL } from './pic-labels';

/** The head's dashboard card: the VMs that need a new PIC, and the way to the hand-over. */
export function PicPanel({ institutionId }: { institutionId: string }) {
  const { t, number } = useI18n();
  const api = useApi();
  const needed = useQuery({ queryKey: ['pic', institutionId, 'needed'], queryFn: () => listInstitutionPic(api, institutionId, true) });
  const items = needed.data?.items ?? [];
  return (
    <section className="card" aria-labelledby="pic-panel-title">
      <h2 id="pic-panel-title">{t('pic.panelTitle')}</h2>
      {needed.isFetching && !needed.data ? <Loading /> : null}
      <ErrorAlert error={needed.error} />
      {needed.data ? (
        <>
          <p className="stat">
            <span className="stat-value">{number(items.length, 0)}</span>
            <span className="muted">{t('pic.panelCount')}</span>
          </p>
          {items.length === 0 ? <p>{t('pic.panelNone')}</p> : null}
          <ul className="step-list">
            {items.slice(0, 5).map((vm) => (
              <li key={vm.id}>
                {vm.name} {vm.problem ? <StatusBadge tone="bad">{t(PIC_PROBLEM_LABEL[vm.problem])}</StatusBadge> : null}
              </li>
            ))}
          </ul>
          <Link to="/pic">{items.length > 0 ? t('pic.panelAct') : t('pic.panelOpen')}</Link>
        </>
      ) : null}
    </section>
  );
}
