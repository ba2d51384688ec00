import { NOTIFICATION_KINDS, type NotificationKind } from '@betang/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi } from '../../api/api-context';
import { getPreferences, putPreferences } from '../../api/notifications.api';
import { useI18n } from '../../i18n/use-i18n';
import { ErrorAlert, LiveRegion } from '../../ui/alert';
import { CheckboxGroup } from '../../ui/field';
import { Page } from '../../ui/page';
import { KIND_LABEL } from './kind-labels';

/** Which kinds also come by e-mail (in-app notifications always appear). */
export function PreferencesPage() {
  const { t } = useI18n();
  const api = useApi();
  const prefs = useQuery({ queryKey: ['notifications', 'preferences'], queryFn: () => getPreferences(api) });
  const [selected, setSelected] = useState<NotificationKind[] | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const current = selected ?? prefs.data?.items.filter((p) => p.email).map((p) => p.kind) ?? [];

  async function save() {
    setError(undefined);
    setNotice(null);
    try {
      await putPreferences(
        api,
        NOTIFICATION_KINDS.map((kind) => ({ kind, email: current.includes(kind) })),
      );
      setNotice(t('notifications.preferencesSaved'));
      void prefs.refetch();
    } catch (e) {
      setError(e);
    }
  }

  return (
    <Page title={t('notifications.preferencesTitle')}>
      <p className="muted">{t('notifications.preferencesIntro')}</p>
      <ErrorAlert error={prefs.error ?? error} />
      <LiveRegion kind="success">{notice}</LiveRegion>
      {prefs.data ? (
        <form
          className="card form-grid"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <CheckboxGroup
            legend={t('notifications.emailFor')}
            options={NOTIFICATION_KINDS.map((kind) => ({ value: kind, label: t(KIND_LABEL[kind]) }))}
            selected={current}
            onChange={setSelected}
          />
          <div className="form-actions">
            <button type="submit" className="button primary">
              {t('common.save')}
            </button>
          </div>
        </form>
      ) : null}
    </Page>
  );
}
