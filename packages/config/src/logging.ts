/**
 * pino redaction paths, configured once for every process: passwords, tokens, tickets,
 * CSRF tokens, cookies and private keys never reach a log line.
 */
export const LOG_REDACT_PATHS: readonly string[] = [
  'password',
  '*.password',
  'newPassword',
  '*.newPassword',
  'totp',
  '*.totp',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'tokenSecret',
  '*.tokenSecret',
  'ticket',
  '*.ticket',
  'csrfToken',
  '*.csrfToken',
  'privateKey',
  '*.privateKey',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  'DATABASE_URL',
  'REDIS_URL',
  'PVE_TOKEN_SECRET',
];

/**
 * pino options for a process's root logger (plain data, so this package needs no pino):
 * JSON by default, pretty when asked, the redaction list above always on.
 */
export function loggerOptions(config: { LOG_LEVEL: string; LOG_PRETTY: boolean }, name: string) {
  return {
    name,
    level: config.LOG_LEVEL,
    redact: { paths: [...LOG_REDACT_PATHS], censor: '[redacted]' },
    ...(config.LOG_PRETTY ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } } : {}),
  };
}
