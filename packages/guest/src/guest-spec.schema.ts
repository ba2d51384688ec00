import { isIP } from 'node:net';
import {
  GUEST_HOSTNAME_PATTERN,
  GUEST_USERNAME_PATTERN,
  RESERVED_GUEST_USERNAMES,
  duplicateSshKeyIndexes,
  isReservedGuestUsername,
} from '@betang/core';
import { z } from 'zod';
import { parseSshPublicKey } from './ssh-public-key';

/** DNS label: lowercase letters, digits and hyphens, 1–63, starts with a letter, no trailing hyphen (the rule lives in @betang/core). */
export const HOSTNAME_PATTERN = GUEST_HOSTNAME_PATTERN;
/** POSIX-portable login name, lowercase, 1–32, starts with a letter (the rule lives in @betang/core). */
export const USERNAME_PATTERN = GUEST_USERNAME_PATTERN;

/** Names reserved for the system on the guest (the list lives in @betang/core, shared with the API's submit checks). */
export const RESERVED_USERNAMES: ReadonlySet<string> = RESERVED_GUEST_USERNAMES;

const FQDN_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const TIMEZONE_PATTERN = /^(?:UTC|[A-Z][A-Za-z_]+(?:\/[A-Z][A-Za-z0-9_+-]*){1,2})$/;
const SUPPORTED_ZONES = new Set(Intl.supportedValuesOf('timeZone'));

function isNtpServer(value: string): boolean {
  if (isIP(value) !== 0) return true;
  if (value.length > 253) return false;
  const labels = value.split('.');
  return labels.length >= 1 && labels.every((l) => FQDN_LABEL.test(l)) && /[a-z]/.test(labels[labels.length - 1]!);
}

export const ZGuestHostname = z.string().regex(HOSTNAME_PATTERN, 'hostname: a-z, 0-9, "-"; 1–63 characters; starts with a letter');

export const ZGuestUsername = z
  .string()
  .regex(USERNAME_PATTERN, 'username: a-z, 0-9, "_", "-"; 1–32 characters; starts with a letter')
  .refine((name) => !isReservedGuestUsername(name), 'username is reserved for the system');

/** One SSH public key line, validated and normalised to `type base64 [comment]`. */
export const ZSshPublicKeyLine = z.string().transform((line, ctx) => {
  const parsed = parseSshPublicKey(line);
  if (!parsed.ok) {
    ctx.addIssue({
      code: 'custom',
      message: `${parsed.error.code}: ${parsed.error.message.en}`,
      params: { code: parsed.error.code, message: parsed.error.message },
    });
    return z.NEVER;
  }
  return parsed.key.line;
});

/**
 * An http(s) URL that is written into apt configuration and a sed expression: only characters
 * that mean nothing to apt's config parser, sed or the shell are allowed.
 */
export const ZAptUrl = z
  .string()
  .regex(
    /^https?:\/\/[A-Za-z0-9.-]+(?::\d{1,5})?(?:\/[A-Za-z0-9._~%/-]*)?$/,
    'apt URL: http(s)://host[:port][/path], letters, digits and . _ ~ % / - only',
  )
  .transform((url) => url.replace(/\/+$/, ''));

export const ZGuestSpec = z.object({
  hostname: ZGuestHostname,
  adminUser: ZGuestUsername,
  sshPublicKeys: z
    .array(ZSshPublicKeyLine)
    .min(1)
    .max(20)
    .refine((keys) => duplicateSshKeyIndexes(keys).length === 0, 'the same key is listed twice'),
  timezone: z
    .string()
    .regex(TIMEZONE_PATTERN)
    .refine((tz) => tz === 'UTC' || SUPPORTED_ZONES.has(tz), 'unknown time zone')
    .default('Asia/Jakarta'),
  ntpServers: z
    .array(z.string().toLowerCase().refine(isNtpServer, 'NTP server must be a hostname or an IP address'))
    .min(1)
    .max(8)
    .default(['0.id.pool.ntp.org', '1.id.pool.ntp.org', '2.id.pool.ntp.org']),
  allowedTcpPorts: z
    .array(z.number().int().min(1).max(65535))
    .max(64)
    .default([22])
    .transform((ports) => [...new Set([22, ...ports])].sort((a, b) => a - b)),
  unattendedUpgrades: z.boolean().default(true),
  /** HTTP proxy apt uses (the data center's apt-cacher-ng or squid); absent = direct, and Betang's proxy file is removed. */
  aptProxy: ZAptUrl.optional(),
  /** Debian archive mirror that replaces deb.debian.org/debian in the guest's apt sources; absent = sources left alone. */
  aptMirror: ZAptUrl.optional(),
  /** Bring every installed package up to date (apt-get upgrade) during configuration. */
  packageUpgrade: z.boolean().default(false),
  /** Bound of one package upgrade on the guest, in seconds. */
  packageUpgradeTimeoutSec: z.number().int().min(30).max(3600).default(900),
});

/** A validated guest specification (output of ZGuestSpec: defaults filled, keys normalised, port 22 included). */
export type GuestSpec = z.output<typeof ZGuestSpec>;
/** What callers send before validation and defaults. */
export type GuestSpecInput = z.input<typeof ZGuestSpec>;
