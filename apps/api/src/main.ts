/* Composition root of the API process: config → deps → listen → ordered shutdown. */
import { loadConfigOrExit, ZApiEnv } from '@betang/config';
import { createDatabase } from '@betang/db';
import { createApp } from './app';
import { createLogger } from './logger';

async function main(): Promise<void> {
  const config = loadConfigOrExit(ZApiEnv);
  const logger = createLogger(config, 'api');
  const db = createDatabase({ connectionString: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX, applicationName: 'betang-api' });
  const app = createApp({ config, db, logger });
  const server = app.listen(config.PORT, config.HOST, () => {
    logger.info({ url: `http://${config.HOST}:${config.PORT}` }, 'API siap / API listening');
  });
  server.on('error', (error) => {
    logger.fatal({ err: error }, 'API tidak dapat mendengarkan / cannot listen');
    process.exit(1);
  });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'API berhenti / shutting down');
    server.close(() => {
      db.destroy().finally(() => process.exit(0));
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

void main();
