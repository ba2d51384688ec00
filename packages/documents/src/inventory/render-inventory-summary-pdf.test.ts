import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderInventorySummaryPdf, type InventorySummaryData } from './render-inventory-summary-pdf';

const app = (name: string): InventorySummaryData['applications'][number] => ({
  name,
  kind: 'khusus',
  dataClassification: 'tinggi',
  status: 'active',
  unit: 'Bagian Protokol',
  url: 'https://agenda.kalteng.go.id',
  picName: 'Budi Santoso',
  picNip: '198001012005011001',
  picEmail: 'budi@kalteng.go.id',
  developer: 'vendor: PT Contoh',
  techStack: 'Laravel 11',
  databaseEngine: 'PostgreSQL 15',
  yearBuilt: 2021,
});

function pdfText(pdf: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'betang-inv-'));
  try {
    writeFileSync(join(dir, 'a.pdf'), pdf);
    return spawnSync('pdftotext', ['-layout', join(dir, 'a.pdf'), '-'], { encoding: 'utf8' }).stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('renderInventorySummaryPdf', () => {
  const generatedAt = new Date('2026-11-27T03:00:00Z');

  it('should list every application and be deterministic', async () => {
    const data = {
      institution: { code: 'BIRO-ADPIM', name: 'Biro Administrasi Pimpinan' },
      generatedAt,
      applications: [app('Sistem Agenda Pimpinan'), app('Portal Berita')],
    };
    const a = await renderInventorySummaryPdf(data);
    expect(a.equals(await renderInventorySummaryPdf(data))).toBe(true);
    const text = pdfText(a);
    expect(text).toContain('Sistem Agenda Pimpinan');
    expect(text).toContain('Portal Berita');
    expect(text).toContain('198001012005011001');
  });

  it('should spill onto more pages and render hostile text', async () => {
    const many = Array.from({ length: 60 }, (_, i) => app(`Aplikasi ${i} ${'x'.repeat(300)} \u202e\u0000 漢字`));
    const pdf = await renderInventorySummaryPdf({ institution: { code: 'X', name: 'Instansi' }, generatedAt, applications: many });
    expect((pdf.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length).toBeGreaterThan(3);
  });
});
