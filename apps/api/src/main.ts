/* Composition root of the API process: config → deps → listen → ordered shutdown. */
import { loadConfigOrExit, loggerOptions, ZApiEnv } from '@betang/config';
import { createDatabase } from '@betang/db';
import { createPdfVerifierPool, defaultVerifierThreads } from '@betang/documents';
import { readFileSync } from 'node:fs';
import { createQueueBackend, createQueueDepthReader, queueBackendConfig, queueCheck } from '@betang/queue';
import { createApp } from './app';
import { RequestEventHub } from './events/request-event-hub';
import { parseTrustRootBundle, signatureTrust } from './use-cases/signature-trust';
import { pino } from 'pino';

async function main(): Promise<void> {
  const config = loadConfigOrExit(ZApiEnv);
  const logger = pino(loggerOptions(config, 'betang-api'));
  // A wrong trust-root file stops the start: trusting less or more than the office meant is worse.
  const rootsFile = config.SIGNATURE_TRUST_ROOTS_FILE;
  const trust = signatureTrust(rootsFile ? parseTrustRootBundle(readFileSync(rootsFile, 'utf8'), rootsFile) : [], config.SIGNATURE_SIGNER_MATCH);
  if (trust.rootPems.length === 0) logger.warn('SIGNATURE_TRUST_ROOTS_FILE tidak disetel: unggahan bertanda tangan luar menunggu penerimaan operator / not set: externally signed uploads wait for an operator');
  const pdfVerifier = createPdfVerifierPool({ threads: config.PDF_VERIFY_THREADS || defaultVerifierThreads(), timeoutMs: config.PDF_VERIFY_TIMEOUT_SECONDS * 1000 });
  const db = createDatabase({ connectionString: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX, applicationName: 'betang-api' });
  const requestEvents = new RequestEventHub({ db, logger, connectionString: config.DATABASE_URL });
  // The API never consumes jobs: the queue backend is only pinged for /readyz and counted for /metrics.
  const queueBackend = createQueueBackend(queueBackendConfig(config));
  const queueDepths = createQueueDepthReader(queueBackend);
  const app = createApp({ config, db, logger, requestEvents, healthChecks: [queueCheck(queueBackend)], queueDepths, pdfVerifier, signatureTrust: trust });
  const server = app.listen(config.PORT, config.HOST, (error?: Error) => {
    if (error) {
      logger.fatal({ err: error }, 'API tidak dapat mendengarkan / cannot listen');
      process.exit(1);
    }
    logger.info({ url: `http://${config.HOST}:${config.PORT}` }, 'API siap / API listening');
  });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'API berhenti / shutting down');
    // Ends every SSE stream first: server.close waits for open responses.
    const streamsStopped = requestEvents.stop();
    server.close(() => {
      streamsStopped
        .finally(() => pdfVerifier.close())
        .finally(() => queueDepths.close())
        .finally(() => queueBackend.close())
        .finally(() => db.destroy())
        .finally(() => process.exit(0));
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // Started by the launcher with an IPC channel: stop when the launcher is gone, never orphaned.
  process.on('disconnect', () => shutdown('launcher exited'));
}

main().catch((error: unknown) => {
  console.error(`API gagal dimulai / failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
