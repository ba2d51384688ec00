import { PDFDocument, StandardFonts, type PDFFont, type PDFPage } from 'pdf-lib';
import { z } from 'zod';
import { formatDateTimeId } from '../agreement/indonesian-format';
import { wrapText } from '../agreement/text-wrap';
import { documentErrors } from '../errors/document-errors';
import { toWinAnsi } from '../util/win-ansi';

const ZText = z.string().max(4000);

/** Data of the printable per-institution inventory summary (SPBE application data identification). */
export const ZInventorySummaryData = z.object({
  institution: z.object({ code: z.string().max(40), name: z.string().max(200) }),
  generatedAt: z.date(),
  applications: z
    .array(
      z.object({
        name: ZText,
        kind: ZText,
        dataClassification: ZText,
        status: ZText,
        unit: ZText.nullable(),
        url: ZText.nullable(),
        picName: ZText,
        picNip: ZText,
        picEmail: ZText,
        developer: ZText,
        techStack: ZText.nullable(),
        databaseEngine: ZText.nullable(),
        yearBuilt: z.number().nullable(),
      }),
    )
    .max(5000),
});
export type InventorySummaryData = z.infer<typeof ZInventorySummaryData>;

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 56;

class Writer {
  page!: PDFPage;
  y = 0;
  constructor(
    private readonly doc: PDFDocument,
    private readonly fonts: { regular: PDFFont; bold: PDFFont },
  ) {
    this.newPage();
  }
  newPage(): void {
    this.page = this.doc.addPage(A4);
    this.y = A4[1] - MARGIN;
  }
  line(text: string, opts: { bold?: boolean; size?: number; indent?: number } = {}): void {
    const size = opts.size ?? 10;
    const font = opts.bold ? this.fonts.bold : this.fonts.regular;
    const x = MARGIN + (opts.indent ?? 0);
    for (const part of wrapText(toWinAnsi(text), font, size, A4[0] - MARGIN - x)) {
      if (this.y < MARGIN + size) this.newPage();
      this.page.drawText(part, { x, y: this.y, size, font });
      this.y -= size * 1.35;
    }
  }
  gap(points: number): void {
    this.y -= points;
  }
}

/**
 * Renders the printable inventory summary of one institution (for the SPBE coordination team):
 * a heading, then one block per application with kind, classification, status, PIC, developer
 * and stack. Deterministic for the same data (dates from `generatedAt`). Any text renders
 * (WinAnsi fallback). Throws INVALID_ARGUMENT on data that fails validation.
 */
export async function renderInventorySummaryPdf(input: InventorySummaryData): Promise<Buffer> {
  const parsed = ZInventorySummaryData.safeParse(input);
  if (!parsed.success)
    throw documentErrors.invalidArgument(`inventory summary: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  const d = parsed.data;
  const doc = await PDFDocument.create({ updateMetadata: false });
  const w = new Writer(doc, {
    regular: await doc.embedFont(StandardFonts.TimesRoman),
    bold: await doc.embedFont(StandardFonts.TimesRomanBold),
  });
  w.line('RINGKASAN INVENTARIS APLIKASI (IDENTIFIKASI DATA APLIKASI SPBE)', { bold: true, size: 13 });
  w.line(`${d.institution.name} (${d.institution.code})`, { bold: true, size: 11 });
  w.line(`Dicetak / printed: ${formatDateTimeId(d.generatedAt)} · Jumlah aplikasi / applications: ${d.applications.length}`);
  w.gap(8);
  d.applications.forEach((a, i) => {
    w.line(`${i + 1}. ${a.name}`, { bold: true, size: 11 });
    const rows = [
      `Jenis: aplikasi ${a.kind} · Klasifikasi data: ${a.dataClassification} · Status: ${a.status}${a.yearBuilt ? ` · Tahun: ${a.yearBuilt}` : ''}`,
      `Unit: ${a.unit ?? '-'} · Alamat: ${a.url ?? '-'}`,
      `PIC: ${a.picName} (NIP ${a.picNip}), ${a.picEmail}`,
      `Pengembang: ${a.developer} · Teknologi: ${a.techStack ?? '-'} · Basis data: ${a.databaseEngine ?? '-'}`,
    ];
    rows.forEach((r) => w.line(r, { indent: 14 }));
    w.gap(6);
  });
  if (d.applications.length === 0) w.line('Belum ada aplikasi yang dilaporkan. / No applications reported yet.');
  doc.setTitle(toWinAnsi(`Inventaris Aplikasi - ${d.institution.name}`));
  doc.setCreationDate(d.generatedAt);
  doc.setModificationDate(d.generatedAt);
  doc.setProducer('Betang');
  doc.setCreator('Betang');
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}
