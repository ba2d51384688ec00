import { z } from 'zod';

/** `user@realm!tokenid` as PVE defines API token ids. */
const TOKEN_ID = /^[^\s@!:=]+@[A-Za-z][A-Za-z0-9._-]*![A-Za-z][A-Za-z0-9._-]*$/;
// Printable ASCII without spaces: keeps CR/LF (header injection) out of the Authorization header.
const TOKEN_SECRET = /^[\x21-\x7e]{1,256}$/;

/** One API origin: https, explicit port, nothing after it. */
const ZOrigin = z
  .string()
  .url()
  .refine((u) => new URL(u).protocol === 'https:', 'baseUrl must be https')
  .refine((u) => {
    const url = new URL(u);
    return (url.pathname === '/' || url.pathname === '') && !url.search && !url.hash && !url.username && !url.password;
  }, 'baseUrl must be an origin only (https://host:port)');

/** Options for createPveClient, validated before any socket is opened. */
export const ZPveClientOptions = z
  .object({
    /**
     * `https://host:8006`, or several such origins (one per node's API) to fail over between.
     * The port must be explicit (PVE listens on 8006; no default is guessed).
     */
    baseUrl: z.union([ZOrigin, z.array(ZOrigin).min(1).max(16)]),
    tokenId: z.string().regex(TOKEN_ID, 'tokenId must look like user@realm!tokenid'),
    tokenSecret: z.string().regex(TOKEN_SECRET, 'tokenSecret must be printable ASCII without spaces'),
    /** PEM of the CA to trust (PVE's pve-root-ca.pem). */
    ca: z.string().includes('-----BEGIN CERTIFICATE-----').optional(),
    /**
     * SHA-256 fingerprint of the node certificate, colon hex as PVE shows it: one for every
     * endpoint, or a list with one per `baseUrl` entry, in the same order.
     */
    fingerprint: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
    /** Default per-call deadline (ms). */
    timeoutMs: z.number().int().positive().max(600_000).default(30_000),
    /** How many times a GET is re-sent after a network error (never POST/PUT/DELETE). */
    getRetries: z.number().int().min(0).max(5).default(2),
    /** Largest accepted response body (bytes). */
    maxResponseBytes: z
      .number()
      .int()
      .positive()
      .default(32 * 1024 * 1024),
  })
  .refine((o) => o.ca !== undefined || o.fingerprint !== undefined, {
    message: 'either ca or fingerprint is required (TLS verification is never disabled)',
  })
  .refine(
    (o) =>
      !Array.isArray(o.fingerprint) ||
      o.fingerprint.length === 1 ||
      o.fingerprint.length === (Array.isArray(o.baseUrl) ? o.baseUrl.length : 1),
    {
      message: 'give one fingerprint for all endpoints or one per baseUrl entry',
    },
  )
  .refine((o) => !Array.isArray(o.baseUrl) || new Set(o.baseUrl.map((u) => new URL(u).origin)).size === o.baseUrl.length, {
    message: 'baseUrl lists the same endpoint twice',
  });
