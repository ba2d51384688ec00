/* Composition root of the API process: config → deps → listen → ordered shutdown. */
import { loadConfigOrExit, loggerOptions, ZApiEnv } from '@betang/config';
import { createDatabase } from '@betang/db';
import { createPdfVerifierPool, defaultVerifierThreads } from '@betang/documents';
import { readFileSync } from 'node:fs';
import { createQueueBackend, createQueueDepthReader, queueBackendConfig, queueCheck } from '@betang/queue';
import type { Server } from 'node:http';
import type { Express } from 'express';
import type { Logger } from 'pino';
import { createApp, opsAppOf, upgradeHandlerOf } from './app';
import { consoleBackendFromConfig } from './console/console-backend';
import { RequestEventHub } from './events/request-event-hub';
import { RequestViewCache } from './events/request-view-cache';
import { sealPlainTotpSecrets, TotpSecretBox } from './security/totp-secret-box';
import { parseTrustRootBundle, signatureTrust } from './use-cases/signature-trust';
import { pino } from 'pino';

async function main(): Promise<void> {
  const config = loadConfigOrExit(ZApiEnv);
  const logger = pino(loggerOptions(config, 'betang-api'));
  // A wrong trust-root file stops the start: trusting less or more than the office meant is worse.
  const rootsFile = config.SIGNATURE_TRUST_ROOTS_FILE;
  const trust = signatureTrust(
    rootsFile ? parseTrustRootBundle(readFileSync(rootsFile, 'utf8'), rootsFile) : [],
    config.SIGNATURE_SIGNER_MATCH,
  );
  if (trust.rootPems.length === 0)
    logger.warn(
      'SIGNATURE_TRUST_ROOTS_FILE tidak disetel: unggahan bertanda tangan luar menunggu penerimaan operator / not set: externally signed uploads wait for an operator',
    );
  const pdfVerifier = createPdfVerifierPool({
    threads: config.PDF_VERIFY_THREADS || defaultVerifierThreads(),
    timeoutMs: config.PDF_VERIFY_TIMEOUT_SECONDS * 1000,
  });
  const db = createDatabase({ connectionString: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX, applicationName: 'betang-api' });
  const requestEvents = new RequestEventHub({ db, logger, connectionString: config.DATABASE_URL });
  // The embedded database's NOTIFY does not cross connections (QUEUE_PG_POLLING): no invalidation, so no cache.
  const requestViewCache =
    config.STATUS_CACHE_TTL_SECONDS > 0 && !config.QUEUE_PG_POLLING
      ? new RequestViewCache({ db, logger, connectionString: config.DATABASE_URL, ttlMs: config.STATUS_CACHE_TTL_SECONDS * 1000 })
      : undefined;
  // The API never consumes jobs: the queue backend is only pinged for /readyz and counted for /metrics.
  const queueBackend = createQueueBackend(queueBackendConfig(config));
  const queueDepths = createQueueDepthReader(queueBackend);
  // TOTP secrets written before they were encrypted: sealed now (sign-in also seals any it meets).
  await sealPlainTotpSecrets(db, new TotpSecretBox(config.SIGNING_MASTER_SECRET))
    .then((sealed) => sealed > 0 && logger.info({ sealed }, 'rahasia TOTP dienkripsi / TOTP secrets encrypted'))
    .catch((error: unknown) =>
      logger.warn(
        { err: error },
        'rahasia TOTP belum dienkripsi; dicoba lagi saat dipakai / TOTP secrets not encrypted yet; retried on use',
      ),
    );
  const consolePve = consoleBackendFromConfig(config);
  const app = createApp({
    ...(consolePve ? { console: { backend: consolePve.backend } } : {}),
    config,
    db,
    logger,
    requestEvents,
    ...(requestViewCache ? { requestViewCache } : {}),
    healthChecks: [queueCheck(queueBackend)],
    queueDepths,
    pdfVerifier,
    signatureTrust: trust,
  });
  const server = app.listen(config.PORT, config.HOST, (error?: Error) => {
    if (error) {
      logger.fatal({ err: error }, 'API tidak dapat mendengarkan / cannot listen');
      process.exit(1);
    }
    logger.info({ url: `http://${config.HOST}:${config.PORT}` }, 'API siap / API listening');
  });
  server.on('upgrade', upgradeHandlerOf(app));
  const opsServer = listenOps(opsAppOf(app), config, logger);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'API berhenti / shutting down');
    // Ends every SSE stream and console first: server.close waits for open connections.
    const streamsStopped = Promise.all([requestEvents.stop(), requestViewCache?.stop(), upgradeHandlerOf(app).closeAll()]);
    server.close(() => {
      streamsStopped
        .finally(() => pdfVerifier.close())
        .finally(() => queueDepths.close())
        .finally(() => queueBackend.close())
        .finally(() => consolePve?.close())
        .finally(() => db.destroy())
        .finally(() => process.exit(0));
    });
    opsServer?.close();
    opsServer?.closeAllConnections();
    server.closeIdleConnections();
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // Started by the launcher with an IPC channel: stop when the launcher is gone, never orphaned.
  process.on('disconnect', () => shutdown('launcher exited'));
}

/**
 * Starts the operations listener (/healthz, /readyz, /metrics) unless API_OPS_PORT is 0. A port
 * already taken is logged and the API runs on without it, like the worker's: serving people
 * matters more than being scraped.
 */
function listenOps(ops: Express, config: { API_OPS_HOST: string; API_OPS_PORT: number }, logger: Logger): Server | undefined {
  if (config.API_OPS_PORT === 0) return undefined;
  const server = ops.listen(config.API_OPS_PORT, config.API_OPS_HOST, (error?: Error) => {
    if (error) {
      logger.error(
        { err: error, host: config.API_OPS_HOST, port: config.API_OPS_PORT },
        'pendengar operasional tidak dapat dibuka, API jalan tanpa /readyz dan /metrics / operations listener unavailable, the API runs without /readyz and /metrics',
      );
      return;
    }
    logger.info({ url: `http://${config.API_OPS_HOST}:${config.API_OPS_PORT}` }, 'pendengar operasional siap / operations listener up');
  });
  return server;
}

main().catch((error: unknown) => {
  console.error(`API gagal dimulai / failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
