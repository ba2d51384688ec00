import { createHash, timingSafeEqual, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { Agent, buildConnector } from 'undici';

/** Thrown when the server's certificate does not match the pinned fingerprint. */
export class PveTlsPinError extends Error {
  override readonly name = 'PveTlsPinError';
  readonly code = 'ERR_PVE_TLS_PIN_MISMATCH';
}

/**
 * Parses a SHA-256 certificate fingerprint as PVE shows it (`AB:CD:…`, 32 bytes; case and
 * colons optional). Throws on anything else so a typo can never disable pinning.
 */
export function parseFingerprint(fp: string): Buffer {
  const hex = fp.trim().replace(/:/g, '');
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new TypeError('fingerprint harus SHA-256 heksadesimal 32 bita / fingerprint must be 32-byte SHA-256 hex');
  }
  return Buffer.from(hex, 'hex');
}

/** SHA-256 fingerprint of a PEM certificate, in PVE's colon-hex form. */
export function fingerprintOfPem(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

type TlsPinning = { ca?: string; fingerprint?: string };

/**
 * An undici Agent that trusts only the pinned CA and/or the pinned leaf certificate.
 *
 * - `ca`: normal chain + hostname verification against that CA only.
 * - `fingerprint`: the leaf's SHA-256 must match; chain verification is skipped (PVE's
 *   self-signed node certificates), hostname too (a fingerprint pins one exact cert).
 *   The check runs after the handshake and before undici writes any request byte.
 *   TLS session resumption is off so every connection presents its certificate.
 * - both: CA chain, hostname and fingerprint must all hold.
 * Neither → throws: Betang never turns TLS verification off.
 */
export function createPinnedDispatcher(pin: TlsPinning, connectTimeoutMs: number): Agent {
  if (!pin.ca && !pin.fingerprint) {
    throw new TypeError('ca atau fingerprint wajib / either ca or fingerprint is required (TLS verification is never disabled)');
  }
  const expected = pin.fingerprint ? parseFingerprint(pin.fingerprint) : undefined;
  const base = buildConnector({
    ...(pin.ca ? { ca: pin.ca } : {}),
    rejectUnauthorized: pin.ca !== undefined,
    maxCachedSessions: 0,
    timeout: connectTimeoutMs,
  });
  const connect: buildConnector.connector = (opts, cb) => {
    base(opts, (err, socket) => {
      if (err || !socket) {
        cb(err ?? new Error('connect failed'), null);
        return;
      }
      if (expected) {
        const raw = (socket as TLSSocket).getPeerCertificate?.()?.raw;
        const actual = raw ? createHash('sha256').update(raw).digest() : Buffer.alloc(0);
        if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
          socket.destroy();
          cb(new PveTlsPinError('sidik jari sertifikat tidak cocok / certificate fingerprint mismatch'), null);
          return;
        }
      }
      cb(null, socket);
    });
  };
  return new Agent({ connect, keepAliveTimeout: 4_000 });
}

/**
 * A TLS connection to `url`'s host and port with the same pinning as createPinnedDispatcher
 * (CA with hostname check, and/or the leaf's SHA-256), resolved only after the check passed, so
 * a websocket client handed this socket writes nothing (not even the token header) to a server
 * that failed it. Rejects on mismatch, error or `timeoutMs`.
 */
export function connectPinnedTls(url: string, pin: TlsPinning, timeoutMs: number): Promise<TLSSocket> {
  if (!pin.ca && !pin.fingerprint) {
    return Promise.reject(
      new TypeError('ca atau fingerprint wajib / either ca or fingerprint is required (TLS verification is never disabled)'),
    );
  }
  const expected = pin.fingerprint ? parseFingerprint(pin.fingerprint) : undefined;
  const target = new URL(url);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({
      host,
      port: Number(target.port || 443),
      ...(isIP(host) ? {} : { servername: host }),
      ...(pin.ca ? { ca: pin.ca } : {}),
      rejectUnauthorized: pin.ca !== undefined,
      ALPNProtocols: ['http/1.1'],
    });
    const timer = setTimeout(() => socket.destroy(new Error(`TLS connect timed out after ${timeoutMs} ms`)), timeoutMs);
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      if (expected) {
        const raw = socket.getPeerCertificate()?.raw;
        const actual = raw ? createHash('sha256').update(raw).digest() : Buffer.alloc(0);
        if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
          socket.destroy();
          reject(new PveTlsPinError('sidik jari sertifikat tidak cocok / certificate fingerprint mismatch'));
          return;
        }
      }
      resolve(socket);
    });
  });
}
