import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { DocumentError, type DocumentErrorCode } from '../errors/document-error';
import { documentErrors } from '../errors/document-errors';
import type { PdfVerification, VerifyOptions } from './verify-pdf-signatures';

/** Verifies PDF signatures somewhere that cannot block the caller's event loop. */
export interface PdfVerifier {
  /** Same result and DocumentErrors as verifyPdfSignatures, plus VERIFIER_BUSY and VERIFICATION_ABORTED. */
  verify(pdf: Buffer, options?: VerifyOptions): Promise<PdfVerification>;
  /** Stops every thread and refuses what is still waiting. */
  close(): Promise<void>;
}

export type PdfVerifierPoolOptions = {
  /** Threads; default: one less than the machine's cores, at least 1, at most 4. */
  threads?: number;
  /** Time one document may take once a thread runs it; the thread is then terminated and replaced. */
  timeoutMs?: number;
  /** Documents that may wait for a free thread; more → VERIFIER_BUSY at once. */
  maxQueue?: number;
};

/** Default thread count: leave a core to the event loop, cap at 4 (verification is short and bounded). */
export function defaultVerifierThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

type Job = { pdf: Buffer; options: VerifyOptions; resolve: (r: PdfVerification) => void; reject: (e: Error) => void };
type ThreadError = {
  code: DocumentErrorCode | null;
  userMessage?: { id: string; en: string };
  details?: Record<string, unknown>;
  message?: string;
};
type Reply = { ready?: true; id?: number; result?: PdfVerification; error?: ThreadError };
type Slot = { worker: Worker | null; ready: boolean; job: (Job & { id: number; timer: NodeJS.Timeout }) | null };

// Under tsx or ts-jest this module is TypeScript: the thread then registers tsx's CommonJS hook first.
const ENTRY = __filename.replace(/verifier-pool\.(ts|js)$/, 'verifier-thread.$1');
const BOOTSTRAP = `const { workerData } = require('node:worker_threads'); if (workerData.tsx) require(workerData.tsx); require(workerData.entry);`;

function tsxHook(): string | null {
  return ENTRY.endsWith('.ts') ? require.resolve('tsx/cjs') : null;
}

/**
 * A small pool of worker threads running verifyPdfSignatures, so a hostile document costs a
 * verification thread, never the event loop. Guarantees: at most `threads` documents run at
 * once; at most `maxQueue` wait (then VERIFIER_BUSY); a document running longer than
 * `timeoutMs` is refused with VERIFICATION_ABORTED and its thread terminated (a fresh one is
 * started for the next document); a thread that dies refuses its document the same way. Threads
 * start on first use and keep the process alive only while they have work.
 */
export function createPdfVerifierPool(options: PdfVerifierPoolOptions = {}): PdfVerifier {
  const threads = Math.max(1, options.threads ?? defaultVerifierThreads());
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxQueue = options.maxQueue ?? 4 * threads;
  const slots: Slot[] = Array.from({ length: threads }, () => ({ worker: null, ready: false, job: null }));
  const queue: Job[] = [];
  let nextId = 1;
  let closed = false;

  const finish = (slot: Slot) => {
    const job = slot.job;
    if (job) clearTimeout(job.timer);
    slot.job = null;
    return job;
  };

  const discard = (slot: Slot, reason: string) => {
    const worker = slot.worker;
    slot.worker = null;
    slot.ready = false;
    finish(slot)?.reject(documentErrors.verificationAborted(reason));
    if (worker) void worker.terminate();
  };

  const start = (slot: Slot) => {
    const worker = new Worker(BOOTSTRAP, {
      eval: true,
      workerData: { entry: ENTRY, tsx: tsxHook() },
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: 256 },
      stdout: false,
      stderr: false,
    });
    slot.worker = worker;
    slot.ready = false;
    worker.on('message', (reply: Reply) => {
      if (slot.worker !== worker) return;
      if (reply.ready) {
        slot.ready = true;
      } else {
        const job = slot.job && slot.job.id === reply.id ? finish(slot) : null;
        if (job && reply.error)
          job.reject(
            reply.error.code
              ? new DocumentError(reply.error.code, reply.error.userMessage!, reply.error.details)
              : new Error(reply.error.message),
          );
        else if (job && reply.result) job.resolve(reply.result);
      }
      dispatch();
    });
    const died = (reason: string) => {
      if (slot.worker !== worker) return;
      const starting = !slot.ready;
      discard(slot, reason);
      // A thread that cannot even start would fail every document: refuse what waits instead of looping.
      if (starting) for (const job of queue.splice(0)) job.reject(documentErrors.verificationAborted(reason));
      else dispatch();
    };
    worker.on('error', (e) => died(`verification thread failed: ${e.message}`));
    worker.on('exit', (code) => died(`verification thread exited (${code})`));
  };

  function dispatch(): void {
    if (closed) return;
    for (const slot of slots) {
      if (queue.length === 0) return;
      if (!slot.worker) start(slot);
      if (!slot.ready || slot.job) continue;
      const job = queue.shift()!;
      const id = nextId++;
      const timer = setTimeout(() => {
        discard(slot, `no result within ${timeoutMs} ms`);
        dispatch();
      }, timeoutMs);
      slot.job = { ...job, id, timer };
      slot.worker!.postMessage({ id, pdf: job.pdf, options: job.options });
    }
  }

  return {
    verify(pdf, verifyOptions = {}) {
      if (closed) return Promise.reject(documentErrors.verificationAborted('verifier closed'));
      if (queue.length >= maxQueue) return Promise.reject(documentErrors.verifierBusy());
      return new Promise<PdfVerification>((resolve, reject) => {
        queue.push({
          pdf,
          options: verifyOptions,
          resolve: (r) => resolve(r),
          reject: (e) => reject(e),
        });
        dispatch();
      }).finally(() => {
        for (const slot of slots) if (slot.worker && !slot.job) slot.worker.unref();
      });
    },
    async close() {
      closed = true;
      for (const job of queue.splice(0)) job.reject(documentErrors.verificationAborted('verifier closed'));
      await Promise.all(
        slots.map(async (slot) => {
          const worker = slot.worker;
          slot.worker = null;
          finish(slot)?.reject(documentErrors.verificationAborted('verifier closed'));
          if (worker) await worker.terminate();
        }),
      );
    },
  };
}
