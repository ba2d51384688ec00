import { Fragment, type ReactNode } from 'react';
import { useI18n } from '../../i18n/use-i18n';
import { StatusBadge } from '../../ui/status-badge';
import { DataTable, type DataColumn } from '../../ui/data-table';

type Entry = { id: string; name: string; isActive: boolean };

type Props<T extends Entry> = {
  /** Prefix of the section's editing keys (`<prefix>:<id>`, `<prefix>:new`) and of its heading id. */
  prefix: string;
  title: string;
  emptyText: string;
  entries: readonly T[];
  /** Columns between the name and the state, with their headings. */
  columns: readonly DataColumn<T>[];
  mayEdit: boolean;
  editLabel(entry: T): string;
  addLabel: string;
  /** The key being edited on the page (one editor open at a time across sections), or null. */
  editing: string | null;
  onEdit(key: string | null): void;
  /** The editor for an entry, or for a new one when `entry` is undefined. */
  renderForm(entry: T | undefined, close: () => void): ReactNode;
};

/**
 * One catalog table (templates or presets): name, the caller's columns, state, an edit button per
 * row for editors, the open editor below the table, and an "add" button.
 */
export function CatalogSection<T extends Entry>({
  prefix,
  title,
  emptyText,
  entries,
  columns,
  mayEdit,
  editLabel,
  addLabel,
  editing,
  onEdit,
  renderForm,
}: Props<T>) {
  const { t } = useI18n();
  const headingId = `${prefix}-catalog-title`;
  const close = () => onEdit(null);
  const open = entries.find((entry) => editing === `${prefix}:${entry.id}`);
  return (
    <section className="card" aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      <DataTable
        labelledBy={headingId}
        rows={entries}
        empty={emptyText}
        columns={[
          {
            label: t('opCatalog.name'),
            cell: (entry) => (
              <>
                <strong>{entry.name}</strong> <code className="small">{entry.id}</code>
              </>
            ),
          },
          ...columns,
          {
            label: t('opCatalog.state'),
            cell: (entry) =>
              entry.isActive ? (
                <StatusBadge tone="good">{t('opCatalog.isActive')}</StatusBadge>
              ) : (
                <StatusBadge tone="idle">{t('opCatalog.inactive')}</StatusBadge>
              ),
          },
        ]}
        actions={(entry) =>
          mayEdit ? (
            <button type="button" className="button small" onClick={() => onEdit(`${prefix}:${entry.id}`)}>
              {editLabel(entry)}
            </button>
          ) : null
        }
      />
      {open ? <Fragment key={open.id}>{renderForm(open, close)}</Fragment> : null}
      {editing === `${prefix}:new` ? renderForm(undefined, close) : null}
      {mayEdit && editing !== `${prefix}:new` ? (
        <button type="button" className="button" onClick={() => onEdit(`${prefix}:new`)}>
          {addLabel}
        </button>
      ) : null}
    </section>
  );
}
