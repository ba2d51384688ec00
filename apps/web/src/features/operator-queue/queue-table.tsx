import { useI18n } from '../../i18n/use-i18n';
import { TableWrap } from '../../ui/table-wrap';
import { AgeVsStandard } from './age-vs-standard';
import { ChangeSummary } from './change-summary';
import type { PendingRow } from './load-queue';
import { useRequestFacts } from './request-facts';

type Props = {
  rows: readonly PendingRow[];
  selected: ReadonlySet<string>;
  openId: string | null;
  onSelect(id: string, on: boolean): void;
  onSelectAll(on: boolean): void;
  onOpen(id: string): void;
};

/** The pending approvals, oldest first: selectable rows (for bulk approval); the hostname opens the review drawer. */
export function QueueTable({ rows, selected, openId, onSelect, onSelectAll, onOpen }: Props) {
  const { t } = useI18n();
  const facts = useRequestFacts();
  const allSelected = rows.length > 0 && rows.every((row) => selected.has(row.requestId));
  return (
    <TableWrap labelledBy="queue-title">
      <table className="responsive">
        <thead>
          <tr>
            <th scope="col">
              <label className="choice">
                <input type="checkbox" checked={allSelected} onChange={(event) => onSelectAll(event.target.checked)} />
                <span className="visually-hidden">{t('opQueue.selectAll')}</span>
              </label>
            </th>
            <th scope="col">{t('opQueue.request')}</th>
            <th scope="col">{t('opQueue.sizeTemplate')}</th>
            <th scope="col">{t('opQueue.levelColumn')}</th>
            <th scope="col">{t('opQueue.ageColumn')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.requestId} className={row.requestId === openId ? 'row-selected' : row.overdue ? 'row-overdue' : undefined}>
              <td data-label={t('opQueue.select')}>
                <label className="choice">
                  <input
                    type="checkbox"
                    checked={selected.has(row.requestId)}
                    onChange={(event) => onSelect(row.requestId, event.target.checked)}
                  />
                  <span className="visually-hidden">{t('opQueue.selectOne', { hostname: row.hostname })}</span>
                </label>
              </td>
              <td data-label={t('opQueue.request')}>
                <strong>
                  <button
                    type="button"
                    className="link-button"
                    id={`review-${row.requestId}`}
                    aria-label={t('opQueue.review', { hostname: row.hostname })}
                    aria-expanded={row.requestId === openId}
                    onClick={() => onOpen(row.requestId)}
                  >
                    {row.hostname}
                  </button>
                </strong>
                <span className="block muted small">{row.institutionName}</span>
                {row.kind === 'resize' ? <span className="block small">{t('opQueue.resizeChange')}</span> : null}
                {row.kind === 'restore' ? <span className="block small">{t('opQueue.restoreChange')}</span> : null}
                {row.change ? <ChangeSummary change={row.change} /> : null}
              </td>
              <td data-label={t('opQueue.sizeTemplate')}>
                {row.request ? facts.sizeShort(row.request.resources) : '—'}
                <span className="block muted small">{row.request?.templateId ?? ''}</span>
              </td>
              <td data-label={t('opQueue.levelColumn')}>
                {row.request?.pendingLevel ? t('opQueue.levelNumber', { level: row.request.pendingLevel.level }) : '—'}
                <span className="block muted small">{row.request?.pendingLevel ? facts.levelName(row.request.pendingLevel) : ''}</span>
              </td>
              <td data-label={t('opQueue.ageColumn')}>
                <AgeVsStandard ageMinutes={row.ageMinutes} targetMinutes={row.targetMinutes} overdue={row.overdue} stacked />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}
