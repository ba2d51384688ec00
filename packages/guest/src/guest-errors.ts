import type { LocalizedText } from '@betang/core';

/** Stable codes for failures while reaching or configuring a guest. */
export enum GuestErrorCode {
  /** The guest presented an SSH host key other than the pinned one; nothing was run. */
  HostKeyMismatch = 'GUEST_HOST_KEY_MISMATCH',
  /** The pinned host key given to connectGuest is not a valid public key line. */
  InvalidPinnedHostKey = 'GUEST_INVALID_PINNED_HOST_KEY',
  /** TCP/SSH connection or authentication failed (network, timeout, key refused). */
  ConnectFailed = 'GUEST_CONNECT_FAILED',
  /** A command on the guest exited with an unexpected status. */
  CommandFailed = 'GUEST_COMMAND_FAILED',
  /** The guest lacks something a step needs (package, time zone, an account clash). */
  PreconditionFailed = 'GUEST_PRECONDITION_FAILED',
  /** A step applied its change but the re-check still reports a difference. */
  StepNotConverged = 'GUEST_STEP_NOT_CONVERGED',
  /** cloud-init finished with an error or did not finish in time. */
  CloudInitFailed = 'GUEST_CLOUD_INIT_FAILED',
  /** apt could not refresh or upgrade the packages (mirror or proxy unreachable, dpkg error, time-out). */
  PackagesFailed = 'GUEST_PACKAGES_FAILED',
  /** The guest specification failed validation. */
  InvalidSpec = 'GUEST_INVALID_SPEC',
}

/** Base class: a stable code, a bilingual message for people, and whether a retry may help. */
export class GuestError extends Error {
  constructor(
    readonly code: GuestErrorCode,
    readonly userMessage: LocalizedText,
    readonly retryable: boolean,
    readonly details: Record<string, unknown> = {},
  ) {
    super(`${code}: ${userMessage.en}`);
    this.name = new.target.name;
  }
}

/** The guest's SSH host key differs from the pinned one. Permanent: retrying cannot fix it. */
export class HostKeyMismatchError extends GuestError {
  constructor(
    readonly host: string,
    readonly expectedFingerprint: string,
    readonly receivedFingerprint: string,
  ) {
    super(
      GuestErrorCode.HostKeyMismatch,
      {
        id:
          `Kunci host SSH dari ${host} (${receivedFingerprint}) tidak sama dengan kunci yang disematkan ` +
          `(${expectedFingerprint}). Koneksi diputus sebelum perintah apa pun dijalankan. Baca ulang kunci host ` +
          'melalui guest agent: jika VM memang dipasang ulang, sematkan kunci barunya; jika tidak, perlakukan ' +
          'sebagai dugaan penyadapan dan laporkan ke operator keamanan.',
        en:
          `The SSH host key of ${host} (${receivedFingerprint}) differs from the pinned key ` +
          `(${expectedFingerprint}). The connection was closed before any command ran. Read the host key again ` +
          'through the guest agent: if the VM was really reinstalled, pin its new key; otherwise treat it as a ' +
          'possible interception and report it to the security operators.',
      },
      false,
      { host, expectedFingerprint, receivedFingerprint },
    );
  }
}

/** A command on the guest failed. Carries the step key and the (trimmed) stderr for operators. */
export class GuestCommandError extends GuestError {
  constructor(what: string, exitCode: number | null, stderr: string) {
    const tail = stderr.trim().split('\n').slice(-5).join('\n').slice(0, 2000);
    super(
      GuestErrorCode.CommandFailed,
      {
        id: `Perintah di guest gagal (${what}, kode keluar ${exitCode ?? 'tidak ada'}): ${tail}`,
        en: `A command on the guest failed (${what}, exit code ${exitCode ?? 'none'}): ${tail}`,
      },
      false,
      { what, exitCode, stderr: tail },
    );
  }
}

/** Something the guest needs is missing or clashes; the message says what to fix. */
export class GuestPreconditionError extends GuestError {
  constructor(message: LocalizedText, details: Record<string, unknown> = {}) {
    super(GuestErrorCode.PreconditionFailed, message, false, details);
  }
}
