import type { VpsRequestDto } from '@betang/core';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { queryKeys } from '../../api/query-keys';
import { useApi } from '../../api/api-context';
import { useI18n } from '../../i18n/use-i18n';
import { ErrorAlert, LiveRegion, Loading } from '../../ui/alert';
import { Link } from '../../ui/link';
import { Page } from '../../ui/page';
import { BulkApprove } from './bulk-approve';
import { loadApprovalQueue } from './load-queue';
import { QueueTable } from './queue-table';
import { ReviewPanel } from './review-panel';
import './console.css';

/** The approval queue (`?overdue=1`: only those past the standard): pending requests oldest first, age against the standard, review drawer, bulk approval. */
export function ApprovalQueuePage() {
  const { t, number } = useI18n();
  const duration = (hours: number) => t('opCommon.hoursOnly', { hours: number(hours) });
  const api = useApi();
  const queue = useQuery({ queryKey: queryKeys.approvalQueue, queryFn: () => loadApprovalQueue(api) });
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [openId, setOpenId] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // ?overdue=1 (the dashboard's "past the standard" link): only those past the service standard.
  const onlyOverdue = useSearchParams()[0].get('overdue') === '1';
  const rows = (queue.data?.rows ?? []).filter((row) => !onlyOverdue || row.overdue);
  const open = rows.find((row) => row.requestId === openId);

  function select(id: string, on: boolean) {
    setSelected((previous) => {
      const next = new Set(previous);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  }

  function close() {
    const id = openId;
    setOpenId(null);
    if (id) window.setTimeout(() => document.getElementById(`review-${id}`)?.focus(), 0);
  }

  function decided(request: VpsRequestDto, decision: 'approved' | 'rejected') {
    setOpenId(null);
    select(request.id, false);
    const key =
      decision === 'rejected'
        ? 'opQueue.rejected'
        : request.status === 'partially_approved'
          ? 'opQueue.approvedPartial'
          : 'opQueue.approved';
    setNotice(t(key, { hostname: request.hostname }));
    void queue.refetch();
  }

  return (
    <Page title={t('opQueue.title')}>
      <p className="muted">{queue.data ? t('opQueue.intro', { standard: duration(queue.data.approvalHours) }) : t('opQueue.introShort')}</p>
      {onlyOverdue ? (
        <p className="muted">
          {t('cockpit.filterOverdue')} <Link to="/operator/queue">{t('cockpit.filterClear')}</Link>
        </p>
      ) : null}
      <LiveRegion kind="success">{notice}</LiveRegion>
      <ErrorAlert error={queue.error} />
      <div className={open ? 'queue-layout with-panel' : 'queue-layout'}>
        <section className="card" aria-labelledby="queue-title">
          <h2 id="queue-title">{t('opQueue.listTitle', { count: rows.length })}</h2>
          {queue.isFetching && !queue.data ? <Loading /> : null}
          {queue.data && rows.length === 0 ? <p>{t('opQueue.empty')}</p> : null}
          <BulkApprove
            rows={rows.filter((row) => selected.has(row.requestId))}
            onDone={() => {
              setSelected(new Set());
              void queue.refetch();
            }}
          />
          {rows.length > 0 ? (
            <QueueTable
              rows={rows}
              selected={selected}
              openId={openId}
              onSelect={select}
              onSelectAll={(on) => setSelected(on ? new Set(rows.map((r) => r.requestId)) : new Set())}
              onOpen={setOpenId}
            />
          ) : null}
        </section>
        {open ? (
          <ReviewPanel
            requestId={open.requestId}
            institutionName={open.institutionName}
            change={open.change}
            onClose={close}
            onDecided={decided}
          />
        ) : null}
      </div>
    </Page>
  );
}
