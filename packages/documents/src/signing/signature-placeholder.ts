import { documentErrors } from '../errors/document-errors';
import { pdfDateWib, pdfTextString } from './pdf-syntax';
import type { PdfSignatureSubFilter } from './signer.port';

const BYTE_RANGE_PLACEHOLDER = '[0 /********** /********** /**********]';

export type SignatureMeta = {
  signerName: string;
  reason: string;
  location: string;
  contactInfo: string;
  signedAt: Date;
};

/** The signature dictionary with a /ByteRange and a zero-filled /Contents placeholder. */
export function signatureDictionary(meta: SignatureMeta, subFilter: PdfSignatureSubFilter, contentsBytes: number): string {
  return [
    '<<',
    '/Type /Sig',
    '/Filter /Adobe.PPKLite',
    `/SubFilter /${subFilter}`,
    `/ByteRange ${BYTE_RANGE_PLACEHOLDER}`,
    `/Name ${pdfTextString(meta.signerName)}`,
    `/Reason ${pdfTextString(meta.reason)}`,
    `/Location ${pdfTextString(meta.location)}`,
    `/ContactInfo ${pdfTextString(meta.contactInfo)}`,
    `/M ${pdfTextString(pdfDateWib(meta.signedAt))}`,
    `/Contents <${'0'.repeat(contentsBytes * 2)}>`,
    '>>',
  ].join('\n');
}

/**
 * Fills the placeholders found after `from`: writes the real /ByteRange (space-padded to the
 * placeholder width) and returns the to-be-signed bytes plus a function that embeds the CMS.
 */
export function prepareByteRange(pdf: Buffer, from: number): { toBeSigned: Buffer; embed: (cms: Buffer) => Buffer } {
  const brAt = pdf.indexOf(BYTE_RANGE_PLACEHOLDER, from, 'latin1');
  const contentsAt = pdf.indexOf('/Contents <', from, 'latin1');
  if (brAt < 0 || contentsAt < 0) throw documentErrors.signingFailed('placeholders not found');
  const start = contentsAt + '/Contents '.length;
  const end = pdf.indexOf('>', start) + 1;
  const range = [0, start, end, pdf.length - end];
  const text = `[${range.join(' ')}]`;
  const out = Buffer.from(pdf);
  out.write(text.padEnd(BYTE_RANGE_PLACEHOLDER.length, ' '), brAt, 'latin1');
  const toBeSigned = Buffer.concat([out.subarray(0, start), out.subarray(end)]);
  const capacity = (end - start - 2) / 2;
  return {
    toBeSigned,
    embed(cms) {
      if (cms.length === 0 || cms.length > capacity) {
        throw documentErrors.signingFailed(`CMS of ${cms.length} bytes does not fit ${capacity} reserved bytes`);
      }
      out.write(cms.toString('hex').toUpperCase(), start + 1, 'latin1');
      return out;
    },
  };
}
