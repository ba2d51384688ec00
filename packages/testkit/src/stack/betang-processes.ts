/*
 * The API and worker processes exactly as production starts them (`node --import tsx
 * apps/<app>/src/main.ts`); the API reads its signing secret the production way (an enc:v1 value
 * and the master key). Suite-specific settings (log level, queue, simulator) come in `env`;
 * `childLogEnv()` turns on debug logs into the test log directory.
 */
import path from 'node:path';
import { TEST_MASTER_KEY, TEST_SIGNING_MASTER_SECRET, testEncrypted } from '../test-secrets';
import { REPO_ROOT, spawnTs, waitHttpOk, type TsChild } from './processes';

type ApiProcessOptions = {
  databaseUrl: string;
  /** Public port on 127.0.0.1. */
  port: number;
  /**
   * Port of the operations listener (/readyz, /metrics). Default: none (API_OPS_PORT=0, so
   * several APIs run at once), and readiness is waited for on the public /healthz; with a port,
   * on the ops listener's /readyz (the database answers too).
   */
  opsPort?: number;
  redisUrl?: string;
  /** More settings, over the defaults. */
  env?: Record<string, string>;
  nodeArgs?: string[];
  timeoutMs?: number;
};

/** Starts apps/api/src/main.ts on 127.0.0.1 and resolves once it answers (see `opsPort`); throws with its output if it exits first. */
export async function startApiProcess(options: ApiProcessOptions): Promise<TsChild> {
  const child = spawnTs(
    path.join(REPO_ROOT, 'apps/api/src/main.ts'),
    {
      DATABASE_URL: options.databaseUrl,
      PORT: String(options.port),
      HOST: '127.0.0.1',
      API_OPS_HOST: '127.0.0.1',
      API_OPS_PORT: String(options.opsPort ?? 0),
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      PUBLIC_URL: `http://127.0.0.1:${options.port}`,
      BETANG_MASTER_KEY: TEST_MASTER_KEY,
      SIGNING_MASTER_SECRET: testEncrypted('SIGNING_MASTER_SECRET', TEST_SIGNING_MASTER_SECRET),
      TOTP_REQUIRED_ROLES: '',
      ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
      ...options.env,
    },
    { logName: 'stack-api', ...(options.nodeArgs ? { nodeArgs: options.nodeArgs } : {}) },
  );
  try {
    await waitHttpOk(
      options.opsPort ? `http://127.0.0.1:${options.opsPort}/readyz` : `http://127.0.0.1:${options.port}/healthz`,
      child,
      options.timeoutMs,
    );
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return child;
}

/**
 * Starts apps/worker/src/main.ts with `env` (no metrics listener unless `env` names a port:
 * several workers run at once). Returns at once; `isAlive` and `logs()` tell whether it refused
 * its settings.
 */
export function startWorkerProcess(env: Record<string, string>, nodeArgs: string[] = []): TsChild {
  return spawnTs(
    path.join(REPO_ROOT, 'apps/worker/src/main.ts'),
    { WORKER_METRICS_PORT: '0', ...env },
    { logName: 'stack-worker', nodeArgs },
  );
}
