/** PDF signature /SubFilter values this package writes and verifies. */
export type PdfSignatureSubFilter = 'ETSI.CAdES.detached' | 'adbe.pkcs7.detached';

/** What a signer gets: the exact bytes covered by /ByteRange plus the signature's metadata. */
export type SignInput = {
  /** The to-be-signed bytes: the PDF with the /Contents placeholder cut out. */
  pdf: Buffer;
  signerName: string;
  reason: string;
  location: string;
  contactInfo: string;
  signedAt: Date;
};

/**
 * Port for anything that can produce a detached CMS (PKCS#7 SignedData, DER) over the bytes
 * given to it. The internal CA implements it (`kind: 'internal-ca'`); a certified provider
 * (BSrE via its signing API or an HSM) implements the same interface with another `kind`,
 * and signPdfIncrementally embeds whatever CMS it returns.
 */
export interface Signer {
  /** Implementation id, e.g. 'internal-ca' or 'bsre'. */
  readonly kind: 'internal-ca' | (string & {});
  /** /SubFilter to write; defaults to ETSI.CAdES.detached. */
  readonly subFilter?: PdfSignatureSubFilter;
  /** Upper bound of the DER CMS size; the /Contents placeholder reserves this much (default 16 KiB). */
  readonly maxSignatureBytes?: number;
  /** Returns DER CMS SignedData, detached (no eContent), over `input.pdf`. */
  sign(input: SignInput): Promise<Buffer>;
}
