import type { WorkerConfig } from '@betang/config';
import type { Db } from '@betang/db';
import type { Logger } from 'pino';

/** What job handlers may use; built once by main.ts (or by tests). */
export type WorkerDeps = {
  config: Pick<WorkerConfig, 'WORKER_CONCURRENCY'>;
  db: Db;
  logger: Logger;
};
