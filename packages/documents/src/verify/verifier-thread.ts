/* Body of a verification thread (started by verifier-pool.ts): verifies one PDF per message. */
import { parentPort } from 'node:worker_threads';
import { isDocumentError } from '../errors/document-error';
import { verifyPdfSignatures, type VerifyOptions } from './verify-pdf-signatures';

type Job = { id: number; pdf: Uint8Array; options: VerifyOptions };

const port = parentPort;
if (port) {
  port.on('message', async (job: Job) => {
    const pdf = Buffer.from(job.pdf.buffer, job.pdf.byteOffset, job.pdf.byteLength);
    try {
      port.postMessage({ id: job.id, result: await verifyPdfSignatures(pdf, job.options) });
    } catch (e) {
      const error = isDocumentError(e)
        ? { code: e.code, userMessage: e.userMessage, details: e.details }
        : { code: null, message: e instanceof Error ? e.message : String(e) };
      port.postMessage({ id: job.id, error });
    }
  });
  port.postMessage({ ready: true });
}
