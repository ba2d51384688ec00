import { rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { toWinAnsi } from '../util/win-ansi';
import { PAGE } from './page-layout';
import { drawQrCode } from './qr-code';
import { wrapText } from './text-wrap';

const QR_SIZE = 58;

/**
 * Footer on every page: a QR code to the verification page with the URL printed beside it,
 * the document number, and "Halaman i dari N".
 */
export function drawFooter(
  page: PDFPage,
  fonts: { regular: PDFFont; bold: PDFFont },
  info: { index: number; total: number; documentNumber: string; verificationUrl: string },
): void {
  const x = PAGE.left;
  const yTop = PAGE.bottom - 18;
  page.drawLine({ start: { x, y: yTop + 6 }, end: { x: PAGE.width - PAGE.right, y: yTop + 6 }, thickness: 0.5, color: rgb(0.4, 0.4, 0.4) });
  drawQrCode(page, info.verificationUrl, x, yTop - QR_SIZE, QR_SIZE);
  const tx = x + QR_SIZE + 8;
  const width = PAGE.width - PAGE.right - tx - 90;
  const lines = [
    ...wrapText('Dokumen ini ditandatangani secara elektronik. Periksa keaslian dan keutuhannya di:', fonts.regular, 7.5, width),
    ...wrapText(toWinAnsi(info.verificationUrl), fonts.regular, 7.5, width),
    ...wrapText(toWinAnsi(`Nomor: ${info.documentNumber}`), fonts.regular, 7.5, width),
  ].slice(0, 6);
  let y = yTop - 8;
  for (const line of lines) {
    page.drawText(line, { x: tx, y, size: 7.5, font: fonts.regular, color: rgb(0.15, 0.15, 0.15) });
    y -= 9.5;
  }
  const label = `Halaman ${info.index} dari ${info.total}`;
  const lw = fonts.bold.widthOfTextAtSize(label, 8.5);
  page.drawText(label, { x: PAGE.width - PAGE.right - lw, y: yTop - 8, size: 8.5, font: fonts.bold });
}
