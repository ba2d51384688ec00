import type { LocalizedText } from '../i18n';
import { readSshKeyBlob, SshWireError } from './ssh-wire';

/** Stable codes for a rejected SSH public key; the API maps them to field errors. */
export enum SshPublicKeyErrorCode {
  /** Nothing but whitespace was given. */
  Empty = 'SSH_KEY_EMPTY',
  /** The line is longer than any supported key can be. */
  TooLong = 'SSH_KEY_TOO_LONG',
  /** A newline or other control character (two keys pasted as one, or a smuggled line); tabs count as spaces, as in OpenSSH. */
  ControlCharacters = 'SSH_KEY_CONTROL_CHARACTERS',
  /** An authorized_keys options prefix such as command="…" or from="…". */
  OptionsNotAllowed = 'SSH_KEY_OPTIONS_NOT_ALLOWED',
  /** Not one of ssh-ed25519, ecdsa-sha2-nistp256/384/521, ssh-rsa, or the security-key (FIDO) types sk-ssh-ed25519 and sk-ecdsa-sha2-nistp256. */
  UnsupportedType = 'SSH_KEY_UNSUPPORTED_TYPE',
  /** The base64 part is missing, not base64, or not a well-formed key of its type. */
  Malformed = 'SSH_KEY_MALFORMED',
  /** The type written in front differs from the type inside the base64 blob. */
  TypeMismatch = 'SSH_KEY_TYPE_MISMATCH',
  /** RSA modulus shorter than 3072 bits. */
  RsaTooShort = 'SSH_KEY_RSA_TOO_SHORT',
}

export const SUPPORTED_SSH_KEY_TYPES = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'ssh-rsa',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
] as const;
export type SshKeyType = (typeof SUPPORTED_SSH_KEY_TYPES)[number];

export const MIN_RSA_BITS = 3072;
const MAX_LINE_LENGTH = 8192;
const MAX_COMMENT_LENGTH = 100;

/** A validated key, normalised to `type base64 [comment]`. */
export type SshPublicKey = {
  type: SshKeyType;
  /** Canonical base64 of the key blob. */
  base64: string;
  /** Sanitised comment: printable ASCII, single spaces, at most 100 characters; '' when none. */
  comment: string;
  /** Key size in bits (256 for ed25519 and the sk- types, the curve size for ECDSA, the modulus for RSA). */
  bits: number;
  /** The normalised authorized_keys line (no options, one line). */
  line: string;
};

export type SshPublicKeyError = { code: SshPublicKeyErrorCode; message: LocalizedText };
export type SshPublicKeyResult = { ok: true; key: SshPublicKey } | { ok: false; error: SshPublicKeyError };

const MESSAGES: Record<SshPublicKeyErrorCode, LocalizedText> = {
  [SshPublicKeyErrorCode.Empty]: { id: 'Kunci publik SSH kosong.', en: 'The SSH public key is empty.' },
  [SshPublicKeyErrorCode.TooLong]: {
    id: 'Kunci publik SSH terlalu panjang.',
    en: 'The SSH public key is too long.',
  },
  [SshPublicKeyErrorCode.ControlCharacters]: {
    id: 'Kunci publik SSH harus satu baris tanpa karakter kontrol (tempel satu kunci per isian).',
    en: 'The SSH public key must be one line without control characters (paste one key per field).',
  },
  [SshPublicKeyErrorCode.OptionsNotAllowed]: {
    id: 'Opsi di depan kunci (misalnya command="…" atau from="…") tidak diizinkan; kirim hanya "tipe kunci komentar".',
    en: 'Options before the key (such as command="…" or from="…") are not allowed; send only "type key comment".',
  },
  [SshPublicKeyErrorCode.UnsupportedType]: {
    id: 'Tipe kunci tidak didukung. Gunakan ssh-ed25519, ecdsa-sha2-nistp256/384/521, ssh-rsa minimal 3072 bit, atau kunci keamanan (sk-ssh-ed25519, sk-ecdsa-sha2-nistp256).',
    en: 'Unsupported key type. Use ssh-ed25519, ecdsa-sha2-nistp256/384/521, ssh-rsa of at least 3072 bits, or a security key (sk-ssh-ed25519, sk-ecdsa-sha2-nistp256).',
  },
  [SshPublicKeyErrorCode.Malformed]: {
    id: 'Isi kunci publik SSH rusak atau bukan base64 yang sah. Salin ulang dari berkas .pub.',
    en: 'The SSH public key data is damaged or not valid base64. Copy it again from the .pub file.',
  },
  [SshPublicKeyErrorCode.TypeMismatch]: {
    id: 'Tipe kunci yang tertulis tidak sama dengan tipe di dalam data kunci.',
    en: 'The key type written in front does not match the type inside the key data.',
  },
  [SshPublicKeyErrorCode.RsaTooShort]: {
    id: `Kunci RSA terlalu pendek; minimal ${MIN_RSA_BITS} bit. Buat kunci baru dengan: ssh-keygen -t ed25519`,
    en: `The RSA key is too short; at least ${MIN_RSA_BITS} bits are required. Make a new key with: ssh-keygen -t ed25519`,
  },
};

// atob/btoa exist in Node.js and in browsers, so the web form validates with this same parser.
function decodeBase64(data: string): Uint8Array | undefined {
  try {
    return Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** The error of a code with its bilingual message (for a server that refuses a key on checks of its own). */
export function sshPublicKeyError(code: SshPublicKeyErrorCode): SshPublicKeyError {
  return { code, message: MESSAGES[code] };
}

function fail(code: SshPublicKeyErrorCode): SshPublicKeyResult {
  return { ok: false, error: sshPublicKeyError(code) };
}

function isSupportedType(value: string): value is SshKeyType {
  return (SUPPORTED_SSH_KEY_TYPES as readonly string[]).includes(value);
}

// Any C0 control (newline, tab, escape…), DEL, C1 controls, and Unicode line/paragraph separators.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const TAB = /\t/g;

/** Printable ASCII only, whitespace collapsed, bounded length: safe to show and to store in a file. */
export function sanitiseSshKeyComment(raw: string): string {
  return raw
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\x20-\x7e]/g, '_')
    .replace(/ +/g, ' ')
    .trim()
    .slice(0, MAX_COMMENT_LENGTH)
    .trim();
}

const SPACE = 0x20;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Removes leading spaces, then one trailing newline (LF or CRLF, as left by copying a .pub
 * file) and the spaces before it; anything inside the line is kept for the checks below.
 * A scan by index rather than a regular expression: an unanchored pattern such as
 * `[ ]*(\r?\n)?$` retries from every space of a long run, which is quadratic, while this is
 * one pass over each end of the input whatever it holds.
 */
function stripPasteWhitespace(input: string): string {
  let start = 0;
  while (start < input.length && input.charCodeAt(start) === SPACE) start += 1;
  let end = input.length;
  if (end > start && input.charCodeAt(end - 1) === LF) {
    end -= 1;
    if (end > start && input.charCodeAt(end - 1) === CR) end -= 1;
  }
  while (end > start && input.charCodeAt(end - 1) === SPACE) end -= 1;
  return input.slice(start, end);
}

/**
 * Parses and validates one OpenSSH public key line (`type base64 [comment]`).
 * Guarantees on success: the type is supported, the base64 decodes to a key blob laid out as
 * its type requires, whose embedded type equals the written one, RSA moduli have at least 3072
 * bits, there is no options prefix, and `line` is a single line of printable ASCII. A light
 * check for the browser: the server also checks the key material (EC point on its curve,
 * canonical encoding) with ssh2 and node:crypto (apps/api security/ssh-public-key.ts). Time is linear in the
 * input length (the web form runs it on every keystroke). Never throws: every
 * rejection carries a stable code and a bilingual message. Pure: shared by the API, the web
 * form and packages/guest (which adds the SHA-256 fingerprint).
 */
export function parseSshPublicKey(input: string): SshPublicKeyResult {
  if (typeof input !== 'string') return fail(SshPublicKeyErrorCode.Malformed);
  // OpenSSH splits the fields of a key line on spaces and tabs alike.
  const line = stripPasteWhitespace(input.replace(TAB, ' '));
  if (line.length === 0) return fail(SshPublicKeyErrorCode.Empty);
  if (line.length > MAX_LINE_LENGTH) return fail(SshPublicKeyErrorCode.TooLong);
  if (CONTROL.test(line)) return fail(SshPublicKeyErrorCode.ControlCharacters);

  const [type = '', data = '', ...rest] = line.split(/ +/);
  if (!isSupportedType(type)) {
    const looksLikeOptions = /[=",]/.test(type) || SUPPORTED_SSH_KEY_TYPES.some((t) => line.includes(` ${t} `));
    return fail(looksLikeOptions ? SshPublicKeyErrorCode.OptionsNotAllowed : SshPublicKeyErrorCode.UnsupportedType);
  }
  // Padded, canonical base64 only: OpenSSH refuses a key whose '=' padding is missing.
  if (!BASE64.test(data) || data.length % 4 !== 0) return fail(SshPublicKeyErrorCode.Malformed);
  const blob = decodeBase64(data);
  if (!blob || encodeBase64(blob) !== data) return fail(SshPublicKeyErrorCode.Malformed);

  let parsed;
  try {
    parsed = readSshKeyBlob(blob);
  } catch (error) {
    if (error instanceof SshWireError) return fail(SshPublicKeyErrorCode.Malformed);
    throw error;
  }
  if (parsed.type !== type) return fail(SshPublicKeyErrorCode.TypeMismatch);
  if (type === 'ssh-rsa' && parsed.bits < MIN_RSA_BITS) return fail(SshPublicKeyErrorCode.RsaTooShort);

  const comment = sanitiseSshKeyComment(rest.join(' '));
  return {
    ok: true,
    key: { type, base64: data, comment, bits: parsed.bits, line: comment ? `${type} ${data} ${comment}` : `${type} ${data}` },
  };
}
