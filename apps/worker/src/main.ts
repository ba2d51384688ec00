/* Composition root of the worker process: config → deps → workers + schedules → ordered shutdown. */
import { loadConfigOrExit, loggerOptions, RunSecretBox, ZWorkerEnv } from '@betang/config';
import { createDatabase, databaseCheck } from '@betang/db';
import { createJobProducer, createQueueBackend, createQueueDepthReader, queueBackendConfig, queueCheck, startWorkers } from '@betang/queue';
import { pino, type Logger } from 'pino';
import { createHandlers } from './jobs';
import { startEmailSender } from './notifications/email-sender';
import { startWebhookSender } from './notifications/webhook-sender';
import { createMailTransport } from './notifications/mail-transport';
import { startJobRelay } from './outbox/job-relay';
import { keepSchedules, registerSchedules } from './schedules';
import { buildProvisioningDeps } from './provisioning/build-provisioning-deps';
import { startOpsServer, type OpsServer } from './ops/ops-server';
import { workerProxmoxCheck } from './ops/readiness';
import { createWorkerMetrics } from './ops/worker-metrics';
import { startSelfCheck } from './doctor/self-check';
import { publicEndpointsFromConfig } from './public-endpoints/edge';
import { startConcurrencySizing } from './ops/worker-concurrency';

async function main(): Promise<void> {
  const config = loadConfigOrExit(ZWorkerEnv);
  const logger = pino(loggerOptions(config, 'betang-worker'));
  const db = createDatabase({ connectionString: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX, applicationName: 'betang-worker' });
  const backend = createQueueBackend(
    queueBackendConfig(config, {
      lockDurationMs: config.QUEUE_LOCK_DURATION_MS,
      stalledIntervalMs: config.QUEUE_STALLED_INTERVAL_MS,
      maxStalledCount: config.QUEUE_MAX_STALLED_COUNT,
    }),
  );
  const shutdownSignal = new AbortController();
  const provisioningQueue = backend.createQueue('provisioning');
  const jobState = async (jobId: string) => (await provisioningQueue.getJob(jobId))?.getState();
  const queueDepths = createQueueDepthReader(backend);
  const metrics = createWorkerMetrics({ queueDepths });
  const provisioning = buildProvisioningDeps(config, { onPveCall: metrics.onPveCall });
  const runSecrets = config.SIGNING_MASTER_SECRET ? new RunSecretBox(config.SIGNING_MASTER_SECRET) : undefined;
  const publicEndpoints = publicEndpointsFromConfig(config);
  const handlers = createHandlers({
    config,
    db,
    logger,
    ...provisioning,
    ...(runSecrets ? { runSecrets } : {}),
    ...(publicEndpoints ? { publicEndpoints } : {}),
    stopping: shutdownSignal.signal,
    jobState,
    metrics,
  });
  // Slots are for runs talking to PVE (waits are parked): as many as the cluster clones at once.
  const resizable: { worker?: { concurrency: number } } = {};
  const sizing = await startConcurrencySizing({
    setting: config.WORKER_CONCURRENCY,
    cloneLimit: config.PVE_CLONE_LIMIT_PER_NODE,
    pve: provisioning.pve,
    everyMs: 60_000,
    log: logger,
    apply: (n) => {
      if (resizable.worker) resizable.worker.concurrency = n;
    },
  });
  const workers = startWorkers(backend, handlers, {
    concurrency: { provisioning: sizing.initial, notifications: 2, maintenance: 1 },
    events: {
      onFinalFailure: (job, error) =>
        logger.error({ job: job.name, jobId: job.id, attempts: job.attemptsMade, err: error }, 'tugas gagal / job failed'),
      onError: (error) => logger.warn({ err: error }, 'kesalahan antrean / queue error'),
    },
  });
  resizable.worker = workers.find((w) => w.name === 'provisioning');
  const scheduleOptions = { reconcileEverySeconds: provisioning.pve ? config.RECONCILE_EVERY_SECONDS : 0 };
  await registerSchedules(backend, scheduleOptions);
  const schedules = keepSchedules(backend, scheduleOptions);
  const producer = createJobProducer(backend);
  const relay = startJobRelay(db, producer, logger);
  const mail = createMailTransport(config, (m) =>
    logger.info({ to: m.to, subject: m.subject }, 'e-mail (tanpa SMTP, hanya dicatat) / e-mail (no SMTP, logged only)'),
  );
  const emailSender = startEmailSender(db, mail, config.MAIL_FROM, logger, 1000, config.PUBLIC_URL);
  const webhookSender = startWebhookSender(db, logger);
  // Permissions, pool, storages, bridges and templates are checked now and every 5 minutes, before a run fails on them.
  const selfCheck = provisioning.pve ? startSelfCheck({ db, pve: provisioning.pve, logger, config }) : undefined;
  const ops = await startOps(
    config,
    logger,
    [databaseCheck(db), queueCheck(backend), workerProxmoxCheck(provisioning.pve), ...(selfCheck ? [selfCheck.health] : [])],
    metrics,
  );
  logger.info(
    {
      queue: backend.config.kind,
      mail: mail.kind,
      concurrency: sizing.initial,
      concurrencySetting: config.WORKER_CONCURRENCY,
      ops: ops?.address,
    },
    'worker siap / worker ready',
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'worker berhenti: menyelesaikan tugas berjalan / worker stopping: finishing in-flight jobs');
    setTimeout(() => process.exit(1), 30_000).unref();
    await ops?.close();
    selfCheck?.stop();
    sizing.stop();
    await schedules.stop();
    await relay.stop();
    await emailSender.stop();
    await webhookSender.stop();
    // Steps stop at their next check and release their run to the queue (no attempt used up).
    shutdownSignal.abort();
    await Promise.all(workers.map((w) => w.close()));
    await provisioningQueue.close();
    await provisioning.pve?.close();
    await producer.close();
    await queueDepths.close();
    await backend.close();
    await db.destroy();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  // Started by the launcher with an IPC channel: stop when the launcher is gone, never orphaned.
  process.on('disconnect', () => void shutdown('launcher exited'));
}

/**
 * Starts the operations listener unless WORKER_METRICS_PORT is 0. A port already taken is logged
 * as an error and the worker goes on without it: jobs matter more than their metrics.
 */
async function startOps(
  config: { WORKER_METRICS_HOST: string; WORKER_METRICS_PORT: number },
  logger: Logger,
  checks: Parameters<typeof startOpsServer>[0]['checks'],
  metrics: Parameters<typeof startOpsServer>[0]['metrics'],
): Promise<OpsServer | undefined> {
  if (config.WORKER_METRICS_PORT === 0) return undefined;
  try {
    return await startOpsServer({ host: config.WORKER_METRICS_HOST, port: config.WORKER_METRICS_PORT, metrics, checks, logger });
  } catch (error) {
    logger.error(
      { err: error, host: config.WORKER_METRICS_HOST, port: config.WORKER_METRICS_PORT },
      'pendengar operasional tidak dapat dibuka, worker jalan tanpa /metrics dan /readyz / operations listener unavailable, the worker runs without /metrics and /readyz',
    );
    return undefined;
  }
}

main().catch((error: unknown) => {
  console.error(`worker gagal dimulai / failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
