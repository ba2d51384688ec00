import { LOG_REDACT_PATHS } from '@betang/config';
import { pino, type Logger } from 'pino';

/** The process's root logger: JSON (or pretty in development), secrets redacted. */
export function createLogger(config: { LOG_LEVEL: string; LOG_PRETTY: boolean }, name: string): Logger {
  return pino({
    name,
    level: config.LOG_LEVEL,
    redact: { paths: [...LOG_REDACT_PATHS], censor: '[redacted]' },
    ...(config.LOG_PRETTY ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } } : {}),
  });
}
