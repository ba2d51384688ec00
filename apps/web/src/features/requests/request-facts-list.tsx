import type { VpsRequestDto } from '@betang/core';
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api/api-context';
import { applicationQuery, catalogQuery } from '../../api/queries';
import { useI18n } from '../../i18n/use-i18n';
import { Link } from '../../ui/link';
import { StatusBadge } from '../../ui/status-badge';
import { PublicEndpointFacts } from '../internet/public-endpoint-facts';
import { REQUEST_STATUS } from './request-labels';

/**
 * What was asked, in the words of the form: the OS template and the application by name (their
 * ids only while the names load or when the catalog no longer offers the template), the size,
 * internet access (and the public endpoint once one is held), ports, the contact person and the purpose.
 */
export function RequestFactsList({ request }: { request: VpsRequestDto }) {
  const { t, number } = useI18n();
  const api = useApi();
  const catalog = useQuery(catalogQuery(api));
  const application = useQuery({ ...applicationQuery(api, request.applicationId), retry: false });
  const status = REQUEST_STATUS[request.status];
  const template = catalog.data?.templates.find((tpl) => tpl.id === request.templateId);
  const { contact } = request;
  return (
    <dl className="facts">
      <dt>{t('requests.statusLabel')}</dt>
      <dd>
        <StatusBadge tone={status.tone}>{t(status.key)}</StatusBadge>
        {request.statusReason ? <span className="block">{request.statusReason}</span> : null}
      </dd>
      <dt>{t('requests.application')}</dt>
      <dd data-testid="fact-application">{application.data?.name ?? (application.isError ? '—' : '…')}</dd>
      <dt>{t('requests.template')}</dt>
      <dd data-testid="fact-template">{template?.name ?? request.templateId}</dd>
      <dt>{t('requests.size')}</dt>
      <dd>
        {t('requests.sizeValue', {
          cores: request.resources.cores,
          memory: number(request.resources.memoryMiB / 1024),
          disk: request.resources.diskGiB,
        })}
      </dd>
      <dt>{t('requests.publicAccess')}</dt>
      <dd data-testid="fact-internet">{request.network.publicAccess ? t('guidance.internetYes') : t('guidance.internetNo')}</dd>
      <dt>{t('requests.ports')}</dt>
      <dd>{request.network.ports.join(', ') || '—'}</dd>
      <PublicEndpointFacts
        endpoint={request.vm?.publicEndpoint}
        requested={request.network.publicAccess && !['decommissioned', 'rejected', 'cancelled', 'failed'].includes(request.status)}
      />
      <dt>{t('requests.contact')}</dt>
      <dd data-testid="fact-contact">
        <span className="block">
          {contact.name} · {t('requests.contactNip')} {contact.nip}
        </span>
        <span className="block">
          {/* An adopted VM's contact comes from its application, which may have no phone: no empty link. */}
          {contact.phone ? (
            <>
              <a href={`tel:${contact.phone.replace(/[^+\d]/g, '')}`}>{contact.phone}</a> ·{' '}
            </>
          ) : null}
          <a href={`mailto:${contact.email}`}>{contact.email}</a>
        </span>
      </dd>
      <dt>{t('requests.purpose')}</dt>
      <dd>{request.purpose}</dd>
      {request.vm && (request.vm.state === 'running' || request.vm.state === 'stopped') ? (
        <>
          <dt>{t('console.label')}</dt>
          <dd>
            <Link to={`/vms/${request.vm.id}/console`}>{t('console.openLink')}</Link>
          </dd>
        </>
      ) : null}
    </dl>
  );
}
