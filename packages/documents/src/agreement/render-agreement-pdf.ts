import { PDFDocument, StandardFonts } from 'pdf-lib';
import { documentErrors } from '../errors/document-errors';
import { AGREEMENT_TEMPLATE_VERSION, ZAgreementDocumentData, type AgreementDocumentInput } from './agreement-data.schema';
import { operationArticles, termArticles } from './agreement-articles-terms';
import { scopeArticles } from './agreement-articles-scope';
import { preambleBlocks } from './agreement-preamble';
import { drawFooter } from './page-footer';
import { PageLayout } from './page-layout';

/**
 * Renders the server-utilization agreement (template AGREEMENT_TEMPLATE_VERSION) as an
 * unsigned, single-revision PDF with selectable text. Guarantees: input is validated
 * (DocumentError INVALID_AGREEMENT_DATA otherwise); the output depends only on the data
 * (creation/modification dates come from `issuedAt`, no random ids), so the same data always
 * yields the same bytes and SHA-256; the file uses a classic xref table so it can be signed
 * incrementally by signPdfIncrementally.
 */
export async function renderAgreementPdf(input: AgreementDocumentInput): Promise<Buffer> {
  const parsed = ZAgreementDocumentData.safeParse(input);
  if (!parsed.success) {
    throw documentErrors.invalidAgreementData(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const d = parsed.data;
  const doc = await PDFDocument.create({ updateMetadata: false });
  const fonts = {
    regular: await doc.embedFont(StandardFonts.TimesRoman),
    bold: await doc.embedFont(StandardFonts.TimesRomanBold),
    italic: await doc.embedFont(StandardFonts.TimesRomanItalic),
  };
  const layout = new PageLayout(doc, fonts);
  layout.render([...preambleBlocks(d), ...scopeArticles(d), ...operationArticles(d), ...termArticles(d)]);
  layout.pages.forEach((page, i) =>
    drawFooter(page, fonts, {
      index: i + 1,
      total: layout.pages.length,
      documentNumber: d.documentNumber,
      verificationUrl: d.verificationUrl,
    }),
  );
  doc.setTitle(`Perjanjian Pemanfaatan Server VPS - ${d.institution.name} - Nomor ${d.documentNumber}`);
  doc.setAuthor(d.dataCenter.name);
  doc.setSubject('Perjanjian Pemanfaatan Server untuk Layanan VPS pada Pusat Data Pemerintah Provinsi Kalimantan Tengah');
  doc.setKeywords(['perjanjian', 'VPS', 'pusat data', d.documentNumber, `templat ${AGREEMENT_TEMPLATE_VERSION}`]);
  doc.setCreator(`Betang, templat perjanjian ${AGREEMENT_TEMPLATE_VERSION}`);
  doc.setProducer('Betang (pdf-lib)');
  doc.setLanguage('id-ID');
  doc.setCreationDate(d.issuedAt);
  doc.setModificationDate(d.issuedAt);
  return Buffer.from(await doc.save({ useObjectStreams: false, addDefaultPage: false }));
}
