import { rgb, type PDFDocument, type PDFFont, type PDFPage } from 'pdf-lib';
import { toWinAnsi } from '../util/win-ansi';
import { formatNip, type Block, type SignatureColumn } from './layout-blocks';
import { wrapText } from './text-wrap';

type LayoutFonts = { regular: PDFFont; bold: PDFFont; italic: PDFFont };

export const PAGE = { width: 595.28, height: 841.89, left: 70, right: 60, top: 64, bottom: 100 } as const;
const SIZE = 11;
const LEADING = 14.5;
const INDENT = 22;
const LABEL = 26;

/** Places content blocks top-to-bottom over as many A4 pages as needed. */
export class PageLayout {
  readonly pages: PDFPage[] = [];
  private page!: PDFPage;
  private y = 0;

  constructor(
    private readonly doc: PDFDocument,
    private readonly fonts: LayoutFonts,
  ) {
    this.newPage();
  }

  /** Draws every block in order; headings are kept with the text that follows them. */
  render(blocks: Block[]): void {
    for (const b of blocks) this.block(b);
  }

  private newPage(): void {
    this.page = this.doc.addPage([PAGE.width, PAGE.height]);
    this.pages.push(this.page);
    this.y = PAGE.height - PAGE.top;
  }

  private ensure(height: number): void {
    if (this.y - height < PAGE.bottom) this.newPage();
  }

  private text(s: string, x: number, font: PDFFont, size = SIZE): void {
    this.page.drawText(s, { x, y: this.y, size, font, color: rgb(0, 0, 0) });
  }

  private lines(text: string, x: number, width: number, font = this.fonts.regular): void {
    for (const line of wrapText(toWinAnsi(text), font, SIZE, width)) {
      this.ensure(LEADING);
      this.y -= LEADING;
      this.text(line, x, font);
    }
  }

  private centered(lines: string[], font: PDFFont, size: number): void {
    const width = PAGE.width - PAGE.left - PAGE.right;
    for (const raw of lines) {
      for (const line of wrapText(toWinAnsi(raw), font, size, width)) {
        this.ensure(size + 4);
        this.y -= size + 4;
        this.text(line, PAGE.left + (width - font.widthOfTextAtSize(line, size)) / 2, font, size);
      }
    }
  }

  private block(b: Block): void {
    const width = PAGE.width - PAGE.left - PAGE.right;
    switch (b.kind) {
      case 'title':
        return this.centered(b.lines, this.fonts.bold, 12);
      case 'heading':
        this.ensure(LEADING * 5);
        this.y -= 8;
        return this.centered(b.lines, this.fonts.bold, SIZE);
      case 'paragraph':
        this.y -= 4;
        return this.lines(b.text, PAGE.left, width);
      case 'spacer':
        this.y -= b.height;
        return;
      case 'item': {
        const x = PAGE.left + (b.level ?? 0) * INDENT;
        this.ensure(LEADING);
        const top = this.y;
        const labelPage = this.page;
        this.lines(b.text, x + LABEL, width - (x - PAGE.left) - LABEL);
        labelPage.drawText(toWinAnsi(b.label), { x, y: top - LEADING, size: SIZE, font: this.fonts.regular });
        return;
      }
      case 'fields':
        return this.fields(b.rows, PAGE.left + (b.level ?? 0) * INDENT + LABEL, width);
      case 'signatures':
        return this.signatures(b.left, b.right, `${b.place}, ${b.date}`);
    }
  }

  private fields(rows: Array<[string, string]>, x: number, width: number): void {
    for (const [label, value] of rows) {
      this.ensure(LEADING);
      const top = this.y;
      const labelPage = this.page;
      this.lines(`: ${value}`, x + 70, width - (x - PAGE.left) - 70);
      labelPage.drawText(toWinAnsi(label), { x, y: top - LEADING, size: SIZE, font: this.fonts.regular });
    }
  }

  private signatures(left: SignatureColumn, right: SignatureColumn, placeDate: string): void {
    const colWidth = (PAGE.width - PAGE.left - PAGE.right) / 2 - 10;
    const titleLines = Math.max(
      ...[left, right].map((c) => wrapText(toWinAnsi(c.title), this.fonts.regular, SIZE, colWidth).length),
      ...[left, right].map((c) => wrapText(toWinAnsi(c.name), this.fonts.bold, SIZE, colWidth).length),
    );
    this.ensure(LEADING * (10 + 2 * titleLines));
    this.y -= LEADING;
    const rightX = PAGE.left + colWidth + 20;
    const columns = [
      { col: left, x: PAGE.left },
      { col: right, x: rightX },
    ];
    this.y -= LEADING;
    this.text(toWinAnsi(placeDate), rightX, this.fonts.regular);
    const top = this.y;
    let lowest = top;
    for (const { col, x } of columns) {
      this.y = top;
      this.lines(col.party, x, colWidth, this.fonts.bold);
      this.lines(col.title, x, colWidth);
      this.y -= LEADING * 0.8;
      this.lines('Ditandatangani secara elektronik', x, colWidth, this.fonts.italic);
      this.y -= LEADING * 1.5;
      this.lines(col.name, x, colWidth, this.fonts.bold);
      const nameWidth = Math.min(this.fonts.bold.widthOfTextAtSize(toWinAnsi(col.name), SIZE), colWidth);
      this.page.drawLine({ start: { x, y: this.y - 2 }, end: { x: x + nameWidth, y: this.y - 2 }, thickness: 0.6 });
      this.lines(`NIP. ${formatNip(col.nip)}`, x, colWidth);
      lowest = Math.min(lowest, this.y);
    }
    this.y = lowest;
  }
}
