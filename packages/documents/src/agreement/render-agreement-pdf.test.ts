import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { DocumentErrorCode, isDocumentError } from '../errors/document-error';
import { sampleAgreementData } from '../testing/agreement-fixture';
import { sha256Hex } from '../util/sha256';
import { AGREEMENT_TEMPLATE_VERSION } from './agreement-data.schema';
import { renderAgreementPdf } from './render-agreement-pdf';

jest.setTimeout(30_000);

function pdfText(pdf: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'betang-pdftotext-'));
  try {
    writeFileSync(join(dir, 'a.pdf'), pdf);
    const r = spawnSync('pdftotext', ['-enc', 'UTF-8', join(dir, 'a.pdf'), '-'], { encoding: 'utf8' });
    if (r.error) throw new Error('pdftotext missing: install poppler-utils');
    return r.stdout.replace(/\s+/g, ' ');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function expectInvalid(overrides: Parameters<typeof sampleAgreementData>[0]): Promise<void> {
  const err = await renderAgreementPdf(sampleAgreementData(overrides)).catch((e: unknown) => e);
  expect(isDocumentError(err, DocumentErrorCode.InvalidAgreementData)).toBe(true);
}

describe('renderAgreementPdf', () => {
  it('should produce identical bytes (same SHA-256) for the same data', async () => {
    const a = await renderAgreementPdf(sampleAgreementData());
    const b = await renderAgreementPdf(sampleAgreementData());
    expect(sha256Hex(a)).toBe(sha256Hex(b));
    const other = await renderAgreementPdf(sampleAgreementData({ documentNumber: '500.12/0124/DKISP-PD/XI/2026' }));
    expect(sha256Hex(other)).not.toBe(sha256Hex(a));
  });

  it('should contain selectable Indonesian text, page numbers and the verification URL', async () => {
    const data = sampleAgreementData();
    const pdf = await renderAgreementPdf(data);
    const pages = (await PDFDocument.load(pdf)).getPageCount();
    expect(pages).toBeGreaterThan(1);
    const text = pdfText(pdf);
    expect(text).toContain('PERJANJIAN PEMANFAATAN SERVER');
    expect(text).toContain('Jumat tanggal dua puluh tujuh bulan November tahun dua ribu dua puluh enam (27 November 2026)');
    expect(text).toContain('NIP : 19750312 200003 2 004');
    expect(text).toContain(`Halaman 1 dari ${pages}`);
    expect(text).toContain(`Halaman ${pages} dari ${pages}`);
    expect(text).toContain(data.verificationUrl);
    expect(text).toContain('prosesor virtual (vCPU): 8 inti');
    expect(text).toContain('Sistem Agenda Pimpinan: klasifikasi Tinggi');
    expect(text).toContain('sejak tanggal 1 Januari 2026 sampai dengan tanggal 31 Desember 2026');
    expect(text).toContain('PIHAK PERTAMA');
  });

  it('should take creation and modification dates from issuedAt', async () => {
    const issuedAt = new Date('2026-01-05T01:00:00Z');
    const doc = await PDFDocument.load(await renderAgreementPdf(sampleAgreementData({ issuedAt })), { updateMetadata: false });
    expect(doc.getCreationDate()?.getTime()).toBe(issuedAt.getTime());
    expect(doc.getModificationDate()?.getTime()).toBe(issuedAt.getTime());
    expect(doc.getCreator()).toContain(AGREEMENT_TEMPLATE_VERSION);
  });

  it('should render characters outside WinAnsi instead of failing', async () => {
    const data = sampleAgreementData();
    const pdf = await renderAgreementPdf({
      ...data,
      institution: { ...data.institution, name: 'Dinas Ṭeknik Ǆ 🚀 “Uji” Kalimantan — Tengah' },
    });
    expect(pdfText(pdf)).toContain('Dinas Teknik');
  });

  it('should reject invalid data with INVALID_AGREEMENT_DATA', async () => {
    const d = sampleAgreementData();
    await expectInvalid({ templateVersion: '1999.1' as typeof AGREEMENT_TEMPLATE_VERSION });
    await expectInvalid({ institution: { ...d.institution, head: { ...d.institution.head, nip: '12345' } } });
    await expectInvalid({ term: { fiscalYear: 2026, startDate: '2026-12-31', endDate: '2026-01-01' } });
    await expectInvalid({ verificationUrl: 'javascript:alert(1)' });
    await expectInvalid({ applications: [] });
    await expectInvalid({ issuedAt: 'bukan tanggal' as unknown as Date });
  });
});
