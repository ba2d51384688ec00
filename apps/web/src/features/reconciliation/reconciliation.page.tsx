import { Role } from '@betang/core';
import { useState } from 'react';
import { type FindingStatus } from '../../api/reconciliation.api';
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api/api-context';
import { findingListQuery } from '../../api/queries';
import { useI18n } from '../../i18n/use-i18n';
import { holdsAny, useMe } from '../../session/session-context';
import { ErrorAlert, LiveRegion, Loading } from '../../ui/alert';
import { Page } from '../../ui/page';
import { SelectField } from '../../ui/select-field';
import { DismissForm } from './dismiss-form';
import { FINDING_KINDS } from './kinds';
import '../operator-queue/console.css';

/** Reconciliation findings grouped by kind, in the UI language, with dismissal (reason required). */
export function ReconciliationPage() {
  const { t, locale, dateTime } = useI18n();
  const mayDismiss = holdsAny(useMe().roles, [Role.Admin, Role.Operator]);
  const [status, setStatus] = useState<FindingStatus>('open');
  const findings = useQuery(findingListQuery(useApi(), status));
  const [dismissing, setDismissing] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const items = findings.data?.items ?? [];
  return (
    <Page title={t('opRecon.title')}>
      <p className="muted">{t('opRecon.intro')}</p>
      <div className="filter-row">
        <SelectField
          label={t('opRecon.status')}
          value={status}
          onValue={(value) => setStatus(value as FindingStatus)}
          options={[
            { value: 'open', label: t('opRecon.statusOpen') },
            { value: 'dismissed', label: t('opRecon.statusDismissed') },
            { value: 'resolved', label: t('opRecon.statusResolved') },
          ]}
        />
      </div>
      <LiveRegion kind="success">{notice}</LiveRegion>
      <ErrorAlert error={findings.error} />
      {findings.isFetching && !findings.data ? <Loading /> : null}
      {findings.data && items.length === 0 ? <p className="card">{t('opRecon.empty')}</p> : null}
      {FINDING_KINDS.filter((kind) => items.some((f) => f.kind === kind.kind)).map((kind) => (
        <section key={kind.kind} className="card" aria-labelledby={`kind-${kind.kind}`}>
          <h2 id={`kind-${kind.kind}`}>
            {t('opRecon.kindCount', { kind: t(kind.title), count: items.filter((f) => f.kind === kind.kind).length })}
          </h2>
          <p className="muted small">{t(kind.advice)}</p>
          {items
            .filter((f) => f.kind === kind.kind)
            .map((finding) => (
              <div key={finding.id} className="finding">
                <p>{finding.message[locale]}</p>
                <p className="muted small">
                  {[
                    finding.node ? t('opRecon.node', { node: finding.node }) : '',
                    finding.vmid !== null ? t('opRecon.vmid', { vmid: finding.vmid }) : '',
                    t('opRecon.seen', { first: dateTime(finding.firstSeenAt), last: dateTime(finding.lastSeenAt) }),
                  ]
                    .filter(Boolean)
                    .join(' · ')}
                </p>
                {mayDismiss && finding.status === 'open' && dismissing !== finding.id ? (
                  <button type="button" className="button small" onClick={() => setDismissing(finding.id)}>
                    {t('opRecon.dismiss')}
                  </button>
                ) : null}
                {dismissing === finding.id ? (
                  <DismissForm
                    findingId={finding.id}
                    label={t('opRecon.dismissTitle')}
                    onCancel={() => setDismissing(null)}
                    onDone={() => {
                      setDismissing(null);
                      setNotice(t('opRecon.dismissed'));
                      void findings.refetch();
                    }}
                  />
                ) : null}
              </div>
            ))}
        </section>
      ))}
    </Page>
  );
}
