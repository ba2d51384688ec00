/**
 * pino redaction paths, configured once for every process: passwords, tokens, tickets,
 * CSRF tokens, cookies, private keys, Authorization headers and secret-bearing settings never
 * reach a log line. (PVE_TOKEN_ID is not secret and stays visible.)
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
  // Headers of outgoing calls (PVE's `Authorization: PVEAPIToken=id=secret`), also inside
  // errors (`err.config.headers`, `err.request.headers`), credentials of mail and database clients,
  // and every secret-bearing setting, alone or inside a logged `config` object.
  'authorization',
  'headers.authorization',
  'headers.Authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
  'err.config.headers.authorization',
  'err.config.headers.Authorization',
  'err.request.headers.authorization',
  'err.request.headers.Authorization',
  'pass',
  '*.pass',
  'auth.pass',
  '*.auth.pass',
  'connectionString',
  '*.connectionString',
  'masterSecret',
  '*.masterSecret',
  'DATABASE_URL',
  'REDIS_URL',
  'PVE_TOKEN_SECRET',
  'SMTP_URL',
  'SIGNING_MASTER_SECRET',
  'BETANG_MASTER_KEY',
  'OIDC_CLIENT_SECRET',
  'client_secret',
  '*.DATABASE_URL',
  '*.REDIS_URL',
  '*.PVE_TOKEN_SECRET',
  '*.SMTP_URL',
  '*.SIGNING_MASTER_SECRET',
  '*.BETANG_MASTER_KEY',
  '*.OIDC_CLIENT_SECRET',
  '*.client_secret',
  '*.clientSecret',
  'consolePassword',
  '*.consolePassword',
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
    ...(config.LOG_PRETTY
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } }
      : {}),
  };
}
