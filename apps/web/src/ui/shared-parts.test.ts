import { createElement, type ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { I18nextProvider } from 'react-i18next';
import { createI18n } from '../i18n/i18n';
import { DataTable } from './data-table';
import { FormActions } from './form-actions';
import { ListSection } from './list-section';

type Row = { id: string; name: string; note: string | null };

const i18n = createI18n('id');

/** Server-renders a part inside the i18n provider (Indonesian, the default without a stored choice). */
function html(node: ReactNode): string {
  return renderToStaticMarkup(createElement(I18nextProvider, { i18n }, node));
}

const columns = [
  { label: 'Nama', cell: (row: Row) => row.name },
  { label: 'Catatan', cell: (row: Row) => row.note ?? '—', className: (row: Row) => (row.note ? 'has-note' : undefined) },
];

describe('DataTable', () => {
  it('should draw nothing before the rows are known, and only the empty text for no rows', () => {
    expect(html(createElement(DataTable<Row>, { labelledBy: 'h', columns, rows: undefined, empty: 'Belum ada.' }))).toBe('');
    expect(html(createElement(DataTable<Row>, { labelledBy: 'h', columns, rows: [], empty: 'Belum ada.' }))).toBe('<p>Belum ada.</p>');
  });

  it('should keep the accessible, responsive table shape: named scroller, th scope=col, data-label on each cell', () => {
    const out = html(
      createElement(DataTable<Row>, {
        labelledBy: 'list-title',
        columns,
        rows: [
          { id: 'a', name: 'Satu', note: 'x' },
          { id: 'b', name: 'Dua', note: null },
        ],
        empty: 'Belum ada.',
      }),
    );
    expect(out).toBe(
      '<div class="table-wrap" tabindex="0" role="group" aria-labelledby="list-title"><table class="responsive">' +
        '<thead><tr><th scope="col">Nama</th><th scope="col">Catatan</th></tr></thead>' +
        '<tbody><tr><td data-label="Nama">Satu</td><td data-label="Catatan" class="has-note">x</td></tr>' +
        '<tr><td data-label="Nama">Dua</td><td data-label="Catatan">—</td></tr></tbody></table></div>',
    );
  });

  it('should add the actions column with a visually hidden header only when actions are given', () => {
    const out = html(
      createElement(DataTable<Row>, {
        labelledBy: 'h',
        columns,
        rows: [{ id: 'a', name: 'Satu', note: null }],
        empty: '',
        actions: (row: Row) => createElement('button', { type: 'button' }, `Ubah ${row.name}`),
      }),
    );
    expect(out).toContain('<th scope="col"><span class="visually-hidden">Tindakan</span></th>');
    expect(out).toContain('<td class="cell-actions"><button type="button">Ubah Satu</button></td>');
  });

  it('should escape hostile text in cells and labels (no markup injection)', () => {
    const hostile = '<img src=x onerror=alert(1)>';
    const out = html(
      createElement(DataTable<Row>, {
        labelledBy: 'h',
        columns: [{ label: hostile, cell: (row: Row) => row.name }],
        rows: [{ id: '1', name: hostile, note: null }],
        empty: '',
      }),
    );
    expect(out).not.toContain('<img');
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});

describe('FormActions', () => {
  it('should show a primary submit button labelled "Simpan" by default and no cancel button without onCancel', () => {
    expect(html(createElement(FormActions, {}))).toBe(
      '<div class="form-actions"><button type="submit" class="button primary">Simpan</button></div>',
    );
  });

  it('should disable the submit button while busy or disabled, and add the cancel button with its label', () => {
    const busy = html(createElement(FormActions, { busy: true, saveLabel: 'Kirim', onCancel: () => undefined }));
    expect(busy).toBe(
      '<div class="form-actions"><button type="submit" class="button primary" disabled="">Kirim</button><button type="button" class="button">Batal</button></div>',
    );
    expect(html(createElement(FormActions, { disabled: true }))).toContain('disabled=""');
    expect(html(createElement(FormActions, { onCancel: () => undefined, cancelLabel: 'Atur ulang' }))).toContain(
      '<button type="button" class="button">Atur ulang</button>',
    );
  });
});

describe('ListSection', () => {
  it('should label the card by its heading, keep the error region, and show loading and notice only when asked', () => {
    const plain = html(
      createElement(
        ListSection,
        { headingId: 'x-title', title: 'Daftar', loading: false, error: undefined },
        createElement('p', null, 'isi'),
      ),
    );
    expect(plain).toBe(
      '<section class="card" aria-labelledby="x-title"><h2 id="x-title">Daftar</h2><div role="alert" aria-live="assertive" class="alert-empty"></div><p>isi</p></section>',
    );
    const full = html(
      createElement(ListSection, { headingId: 'x-title', title: 'Daftar', loading: true, error: undefined, notice: null, busy: true }),
    );
    expect(full).toContain('aria-busy="true"');
    expect(full).toContain('<div role="status" aria-live="polite" class="alert-empty"></div>');
    expect(full).toContain('<p role="status" class="muted">');
  });
});

describe('ListSection "load more"', () => {
  it('should show the load-more button after the content only when onMore is given', () => {
    const without = html(createElement(ListSection, { headingId: 'x', title: 'Daftar', loading: false, error: undefined }));
    expect(without).not.toContain('<button');
    const withMore = html(
      createElement(
        ListSection,
        { headingId: 'x', title: 'Daftar', loading: false, error: undefined, onMore: () => undefined },
        createElement('p', null, 'isi'),
      ),
    );
    expect(withMore).toMatch(/<p>isi<\/p><button type="button" class="button">Muat lebih banyak<\/button><\/section>$/);
  });
});

describe('DataTable inside a ListSection', () => {
  it("should be labelled by the section's heading without labelledBy, and refuse to draw an unnamed scroller outside one", () => {
    const inside = html(
      createElement(
        ListSection,
        { headingId: 'pools-title', title: 'Kumpulan', loading: false, error: undefined },
        createElement(DataTable<Row>, { columns, rows: [{ id: 'a', name: 'Satu', note: null }], empty: '' }),
      ),
    );
    expect(inside).toContain('<div class="table-wrap" tabindex="0" role="group" aria-labelledby="pools-title">');
    const own = html(
      createElement(
        ListSection,
        { headingId: 'pools-title', title: 'Kumpulan', loading: false, error: undefined },
        createElement(DataTable<Row>, { labelledBy: 'other', columns, rows: [{ id: 'a', name: 'Satu', note: null }], empty: '' }),
      ),
    );
    expect(own).toContain('aria-labelledby="other"');
    expect(() => html(createElement(DataTable<Row>, { columns, rows: [], empty: '' }))).toThrow(/labelledBy/);
  });
});
