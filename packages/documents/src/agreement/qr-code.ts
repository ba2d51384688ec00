import QRCode from 'qrcode';
import { fill, popGraphicsState, pushGraphicsState, rectangle, setFillingGrayscaleColor, type PDFPage } from 'pdf-lib';

/**
 * Draws `text` as a vector QR code (error correction M) with its lower-left corner at (x, y).
 * Runs of dark modules become one rectangle each and the whole code is a single fill, so the
 * output is small and byte-for-byte deterministic.
 */
export function drawQrCode(page: PDFPage, text: string, x: number, y: number, size: number): void {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const cell = size / n;
  const ops = [pushGraphicsState(), setFillingGrayscaleColor(0)];
  for (let row = 0; row < n; row++) {
    let col = 0;
    while (col < n) {
      if (!qr.modules.get(row, col)) {
        col++;
        continue;
      }
      const start = col;
      while (col < n && qr.modules.get(row, col)) col++;
      ops.push(rectangle(round(x + start * cell), round(y + (n - row - 1) * cell), round((col - start) * cell), round(cell)));
    }
  }
  ops.push(fill(), popGraphicsState());
  page.pushOperators(...ops);
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
