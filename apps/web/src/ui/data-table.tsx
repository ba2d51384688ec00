import type { ReactNode } from 'react';
import { useI18n } from '../i18n/use-i18n';
import { useListHeadingId } from './list-section';
import { TableWrap } from './table-wrap';

/** One column: its header text (also each cell's `data-label` for the stacked phone layout) and its cell. */
export type DataColumn<T> = {
  label: string;
  cell(row: T): ReactNode;
  /** Class of the cell, fixed or per row. */
  className?: string | ((row: T) => string | undefined);
};

type Props<T extends { id: string | number }> = {
  /** Id of the heading that names the table's scroller (TableWrap); inside a ListSection, its h2 by default. */
  labelledBy?: string;
  columns: readonly DataColumn<T>[];
  /** The rows (their `id` keys them); `undefined` while nothing is loaded yet (then nothing is drawn). */
  rows: readonly T[] | undefined;
  /** Shown as a paragraph instead of the table when `rows` is empty. */
  empty: ReactNode;
  /** Buttons of a row; adds a last column whose header is visually hidden ("Aksi"/"Actions"). */
  actions?(row: T): ReactNode;
};

/**
 * A list table in the app's one shape: nothing before the rows are known, the `empty` text for no
 * rows, otherwise a focusable scroller (TableWrap, named by `labelledBy`) holding
 * `table.responsive` with `th scope="col"` headers, a `data-label` on every data cell (the phone
 * layout shows it) and, with `actions`, a `td.cell-actions` per row under a visually hidden header.
 */
export function DataTable<T extends { id: string | number }>({ labelledBy, columns, rows, empty, actions }: Props<T>) {
  const { t } = useI18n();
  const sectionHeadingId = useListHeadingId();
  const headingId = labelledBy ?? sectionHeadingId;
  if (headingId === undefined) throw new Error('DataTable needs labelledBy outside a ListSection (its scroller must be named)');
  if (rows === undefined) return null;
  if (rows.length === 0) return <p>{empty}</p>;
  return (
    <TableWrap labelledBy={headingId}>
      <table className="responsive">
        <thead>
          <tr>
            {columns.map((column, index) => (
              <th key={`${index}-${column.label}`} scope="col">
                {column.label}
              </th>
            ))}
            {actions ? (
              <th scope="col">
                <span className="visually-hidden">{t('common.actions')}</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id}>
              {columns.map((column, index) => (
                <td
                  key={`${index}-${column.label}`}
                  data-label={column.label}
                  className={typeof column.className === 'function' ? column.className(row) : column.className}
                >
                  {column.cell(row)}
                </td>
              ))}
              {actions ? <td className="cell-actions">{actions(row)}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}
