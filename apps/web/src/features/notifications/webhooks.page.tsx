import { NOTIFICATION_KINDS, type NotificationKind } from '@betang/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi } from '../../api/api-context';
import { createWebhook, deleteWebhook, listDeliveries, listWebhooks, patchWebhook, retryDelivery } from '../../api/notifications.api';
import { institutionListQuery } from '../../api/queries';
import { useI18n } from '../../i18n/use-i18n';
import { ErrorAlert, LiveRegion } from '../../ui/alert';
import { CheckboxGroup, Field } from '../../ui/field';
import { Page } from '../../ui/page';
import { KIND_LABEL } from './kind-labels';

/** The delivery log of one endpoint: status, attempts, last answer or error; a failed delivery can be retried now. */
function DeliveryLog({ id }: { id: string }) {
  const { t, dateTime } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const [retryError, setRetryError] = useState<unknown>(null);
  const [retried, setRetried] = useState<number | null>(null);
  const log = useQuery({ queryKey: ['webhooks', id, 'deliveries'], queryFn: () => listDeliveries(api, id) });
  async function retry(deliveryId: number) {
    setRetryError(null);
    try {
      await retryDelivery(api, id, deliveryId);
      setRetried(deliveryId);
      await queryClient.invalidateQueries({ queryKey: ['webhooks'] });
    } catch (error) {
      setRetryError(error);
    }
  }
  if (log.error) return <ErrorAlert error={log.error} />;
  if (!log.data) return null;
  if (log.data.items.length === 0) return <p>{t('notifications.webhooks.noDeliveries')}</p>;
  return (
    <>
      {retryError ? <ErrorAlert error={retryError} /> : null}
      {retried !== null ? <LiveRegion kind="success">{t('webhooks.retry.done')}</LiveRegion> : null}
      <ul className="delivery-log">
        {log.data.items.map((d) => (
          <li key={d.id}>
            {dateTime(d.createdAt)} · {t(KIND_LABEL[d.kind])} · {t(`notifications.webhooks.status.${d.status}`)} ·{' '}
            {t('notifications.webhooks.attempts', { count: d.attempts })}
            {d.lastError ? ` · ${d.lastError}` : ''}
            {d.status === 'failed' || (d.status === 'pending' && d.attempts > 0) ? (
              <>
                {' '}
                <button type="button" className="button small" onClick={() => void retry(d.id)}>
                  {t('webhooks.retry.button')}
                </button>
              </>
            ) : null}
          </li>
        ))}
      </ul>
    </>
  );
}

/** Admins: outgoing webhooks for the office's own channels, their secrets and delivery logs. */
export function WebhooksPage() {
  const { t } = useI18n();
  const api = useApi();
  const hooks = useQuery({ queryKey: ['webhooks'], queryFn: () => listWebhooks(api) });
  const institutions = useQuery(institutionListQuery(api));
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [institutionId, setInstitutionId] = useState('');
  const [kinds, setKinds] = useState<NotificationKind[]>(['vps.ready', 'vps.failed']);
  const [secret, setSecret] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [notice, setNotice] = useState<string | null>(null);

  const act = async (work: () => Promise<unknown>, done: string) => {
    setError(undefined);
    setNotice(null);
    try {
      await work();
      setNotice(done);
      void hooks.refetch();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <Page title={t('notifications.webhooks.title')}>
      <p className="muted">{t('notifications.webhooks.intro')}</p>
      <ErrorAlert error={hooks.error ?? error} />
      <LiveRegion kind="success">{notice}</LiveRegion>
      {secret ? (
        <div className="card" role="status">
          <p>{t('notifications.webhooks.secretOnce')}</p>
          <code data-testid="webhook-secret">{secret}</code>
          <button type="button" className="button" onClick={() => setSecret(null)}>
            {t('notifications.webhooks.secretDone')}
          </button>
        </div>
      ) : null}
      <form
        className="card form-grid"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void act(async () => {
            const created = await createWebhook(api, { name, url, institutionId: institutionId || null, kinds });
            setSecret(created.secret);
            setName('');
            setUrl('');
          }, t('notifications.webhooks.created'));
        }}
      >
        <h2>{t('notifications.webhooks.createTitle')}</h2>
        <Field label={t('notifications.webhooks.name')} required value={name} onValue={setName} />
        <Field
          label={t('notifications.webhooks.url')}
          required
          type="url"
          hint={t('notifications.webhooks.urlHint')}
          value={url}
          onValue={setUrl}
        />
        <label>
          {t('notifications.webhooks.institution')}
          <select value={institutionId} onChange={(e) => setInstitutionId(e.target.value)}>
            <option value="">{t('notifications.webhooks.global')}</option>
            {(institutions.data?.items ?? []).map((i) => (
              <option key={i.id} value={i.id}>
                {i.name}
              </option>
            ))}
          </select>
        </label>
        <CheckboxGroup
          legend={t('notifications.webhooks.kinds')}
          options={NOTIFICATION_KINDS.map((kind) => ({ value: kind, label: t(KIND_LABEL[kind]) }))}
          selected={kinds}
          onChange={setKinds}
        />
        <div className="form-actions">
          <button type="submit" className="button primary">
            {t('notifications.webhooks.create')}
          </button>
        </div>
      </form>
      <section aria-labelledby="webhook-list-title">
        <h2 id="webhook-list-title">{t('notifications.webhooks.listTitle')}</h2>
        {hooks.data && hooks.data.items.length === 0 ? <p>{t('notifications.webhooks.empty')}</p> : null}
        <ul className="webhook-list">
          {(hooks.data?.items ?? []).map((hook) => (
            <li key={hook.id} className="card">
              <h3>{hook.name}</h3>
              <p>
                <code>{hook.url}</code> · {hook.isActive ? t('notifications.webhooks.active') : t('notifications.webhooks.inactive')}
              </p>
              <p className="muted small">
                {hook.kinds.map((k) => t(KIND_LABEL[k])).join(', ')} ·{' '}
                {t('notifications.webhooks.counts', {
                  delivered: hook.deliveries.delivered,
                  pending: hook.deliveries.pending,
                  failed: hook.deliveries.failed,
                })}
              </p>
              <div className="row-actions">
                <button type="button" className="button" onClick={() => setOpen(open === hook.id ? null : hook.id)}>
                  {t('notifications.webhooks.log')}
                </button>
                <button
                  type="button"
                  className="button"
                  onClick={() =>
                    void act(() => patchWebhook(api, hook.id, { isActive: !hook.isActive }), t('notifications.webhooks.saved'))
                  }
                >
                  {hook.isActive ? t('notifications.webhooks.deactivate') : t('notifications.webhooks.activate')}
                </button>
                <button
                  type="button"
                  className="button"
                  onClick={() =>
                    void act(async () => {
                      const rotated = await patchWebhook(api, hook.id, { rotateSecret: true });
                      setSecret(rotated.secret ?? null);
                    }, t('notifications.webhooks.saved'))
                  }
                >
                  {t('notifications.webhooks.rotate')}
                </button>
                <button
                  type="button"
                  className="button danger"
                  onClick={() => void act(() => deleteWebhook(api, hook.id), t('notifications.webhooks.deleted'))}
                >
                  {t('notifications.webhooks.delete')}
                </button>
              </div>
              {open === hook.id ? <DeliveryLog id={hook.id} /> : null}
            </li>
          ))}
        </ul>
      </section>
    </Page>
  );
}
