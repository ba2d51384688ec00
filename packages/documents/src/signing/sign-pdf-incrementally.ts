import { PDFArray, PDFDict, PDFDocument, PDFName, PDFRef } from 'pdf-lib';
import { documentErrors } from '../errors/document-errors';
import { isDocumentError } from '../errors/document-error';
import { assertPdf, lastStartxref } from '../verify/pdf-structure';
import { appendIncrementalUpdate, type UpdateObject } from './incremental-writer';
import { pdfTextString } from './pdf-syntax';
import { prepareByteRange, signatureDictionary, type SignatureMeta } from './signature-placeholder';
import type { Signer } from './signer.port';

export type SignPdfMeta = SignatureMeta & { fieldName?: string; maxBytes?: number };

async function loadForUpdate(pdf: Buffer): Promise<PDFDocument> {
  if (pdf.subarray(lastStartxref(pdf), lastStartxref(pdf) + 4).toString('latin1') !== 'xref') {
    throw documentErrors.unsupportedPdf('last cross-reference section is a stream, not a classic xref table');
  }
  try {
    return await PDFDocument.load(pdf, { updateMetadata: false, throwOnInvalidObject: true });
  } catch (e) {
    throw documentErrors.unsupportedPdf(`cannot parse PDF: ${(e as Error).message}`);
  }
}

const refOf = (r: PDFRef) => `${r.objectNumber} ${r.generationNumber} R`;

/**
 * Adds one PAdES signature as a new incremental revision: a signature dictionary, an
 * invisible widget on the last page, the page with updated /Annots, the AcroForm (/Fields as
 * indirect references, /SigFlags 3) and, if needed, the Catalog, followed by a classic xref
 * section and a trailer with /Prev. All input bytes are kept unchanged (earlier signatures
 * stay valid); the new signature covers the whole output file. Not idempotent: each call adds
 * another signature, so callers must record completion before retrying.
 */
export async function signPdfIncrementally(pdf: Buffer, signer: Signer, meta: SignPdfMeta): Promise<Buffer> {
  assertPdf(pdf, meta.maxBytes);
  if (!(meta.signedAt instanceof Date) || Number.isNaN(meta.signedAt.getTime())) {
    throw documentErrors.invalidArgument('signedAt must be a valid Date');
  }
  const doc = await loadForUpdate(pdf);
  const ctx = doc.context;
  const catalogRef = ctx.trailerInfo.Root;
  if (!(catalogRef instanceof PDFRef)) throw documentErrors.unsupportedPdf('trailer /Root is not a reference');
  const page = doc.getPages().at(-1);
  if (!page) throw documentErrors.unsupportedPdf('document has no pages');

  let next = ctx.largestObjectNumber + 1;
  const sigNum = next++;
  const widgetNum = next++;
  const acroEntry = doc.catalog.get(PDFName.of('AcroForm'));
  const acroRef = acroEntry instanceof PDFRef ? acroEntry : PDFRef.of(next++);
  const acroOld = doc.catalog.lookupMaybe(PDFName.of('AcroForm'), PDFDict);
  const fields = acroOld?.lookupMaybe(PDFName.of('Fields'), PDFArray)?.asArray() ?? [];
  const widgetRef = PDFRef.of(widgetNum);
  const fieldName = meta.fieldName ?? uniqueFieldName(fields.map((f) => ctx.lookupMaybe(f, PDFDict)?.get(PDFName.of('T'))?.toString()));

  const acro = acroOld ? acroOld.clone() : ctx.obj({});
  acro.set(PDFName.of('Fields'), ctx.obj([...fields, widgetRef]));
  acro.set(PDFName.of('SigFlags'), ctx.obj(3));
  const pageDict = page.node.clone();
  const annots = page.node.lookupMaybe(PDFName.of('Annots'), PDFArray)?.asArray() ?? [];
  pageDict.set(PDFName.of('Annots'), ctx.obj([...annots, widgetRef]));

  const subFilter = signer.subFilter ?? 'ETSI.CAdES.detached';
  const objects: UpdateObject[] = [
    { num: sigNum, gen: 0, body: signatureDictionary(meta, subFilter, signer.maxSignatureBytes ?? 16 * 1024) },
    {
      num: widgetNum,
      gen: 0,
      body: `<<\n/Type /Annot\n/Subtype /Widget\n/FT /Sig\n/T ${pdfTextString(fieldName)}\n/V ${sigNum} 0 R\n/F 132\n/Rect [0 0 0 0]\n/P ${refOf(page.ref)}\n>>`,
    },
    { num: page.ref.objectNumber, gen: page.ref.generationNumber, body: pageDict.toString() },
    { num: acroRef.objectNumber, gen: acroRef.generationNumber, body: acro.toString() },
  ];
  if (!(acroEntry instanceof PDFRef)) {
    const catalog = doc.catalog.clone();
    catalog.set(PDFName.of('AcroForm'), acroRef);
    objects.push({ num: catalogRef.objectNumber, gen: catalogRef.generationNumber, body: catalog.toString() });
  }
  const t = ctx.trailerInfo;
  const updated = appendIncrementalUpdate(pdf, objects, {
    size: Math.max(next, previousSize(pdf)),
    root: refOf(catalogRef),
    info: t.Info instanceof PDFRef ? refOf(t.Info) : undefined,
    id: t.ID ? t.ID.toString() : undefined,
    prev: lastStartxref(pdf),
  });
  const { toBeSigned, embed } = prepareByteRange(updated, pdf.length);
  let cms: Buffer;
  try {
    cms = await signer.sign({ ...meta, pdf: toBeSigned });
  } catch (e) {
    if (isDocumentError(e)) throw e;
    throw documentErrors.signingFailed(`signer ${signer.kind}: ${(e as Error).message}`);
  }
  return embed(cms);
}

/** "TandaTangan<n>" with the smallest n ≥ 1 not already used as a literal field name. */
function uniqueFieldName(existing: Array<string | undefined>): string {
  for (let n = existing.length + 1; ; n++) if (!existing.includes(`(TandaTangan${n})`)) return `TandaTangan${n}`;
}

function previousSize(pdf: Buffer): number {
  const at = pdf.lastIndexOf('trailer');
  const m = at < 0 ? null : /\/Size\s+(\d+)/.exec(pdf.subarray(at, at + 2048).toString('latin1'));
  return m ? Number(m[1]) : 0;
}
