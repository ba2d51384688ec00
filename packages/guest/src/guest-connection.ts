import { NodeSSH } from 'node-ssh';
import type { ClientChannel, ServerHostKeyAlgorithm } from 'ssh2';
import { GuestError, GuestErrorCode, HostKeyMismatchError } from './guest-errors';
import { isPinnedHostKey, parsePinnedHostKey, sshFingerprint } from './host-key';

/** Output of one command on the guest. `code` is null when the command died from a signal. */
export type ExecResult = { stdout: string; stderr: string; code: number | null };

/** What the steps need from a guest: run one shell command line, optionally feeding stdin. */
export interface GuestShell {
  /** The account the commands run as (the cloud-init user, with passwordless sudo). */
  readonly username: string;
  exec(command: string, options?: { stdin?: string; timeoutMs?: number }): Promise<ExecResult>;
}

/** An open SSH connection to a guest whose host key matched the pinned one. */
export interface GuestConnection extends GuestShell {
  readonly host: string;
  readonly port: number;
  /** SHA256 fingerprint of the verified host key. */
  readonly hostKeyFingerprint: string;
  dispose(): void;
}

export type ConnectGuestOptions = {
  host: string;
  port?: number;
  username: string;
  /** OpenSSH or PEM private key text. */
  privateKey: string;
  /** The guest's host key line, read through the guest agent before connecting. */
  pinnedHostKey: string;
  readyTimeoutMs?: number;
  /** Longest a single command may run before its channel is closed (default 5 minutes). */
  commandTimeoutMs?: number;
};

/**
 * Opens an SSH connection that trusts exactly one host key. Guarantees: the handshake is
 * aborted before authentication when the guest presents any other key (HostKeyMismatchError,
 * not retryable), so no command can run on an impostor; only public-key authentication is
 * tried (no agent, no password, no keyboard-interactive). Network failures and timeouts
 * become GuestError(ConnectFailed, retryable) — the guest may simply not be up yet.
 */
export async function connectGuest(options: ConnectGuestOptions): Promise<GuestConnection> {
  const pinned = parsePinnedHostKey(options.pinnedHostKey);
  const port = options.port ?? 22;
  let presented: Buffer | undefined;
  const ssh = new NodeSSH();
  try {
    await ssh.connect({
      host: options.host,
      port,
      username: options.username,
      privateKey: options.privateKey,
      readyTimeout: options.readyTimeoutMs ?? 20_000,
      tryKeyboard: false,
      algorithms: { serverHostKey: pinned.algorithms as ServerHostKeyAlgorithm[] },
      hostVerifier: (key: Buffer) => {
        presented = Buffer.from(key);
        return isPinnedHostKey(pinned, presented);
      },
    });
  } catch (error) {
    ssh.dispose();
    if (presented && !isPinnedHostKey(pinned, presented)) {
      throw new HostKeyMismatchError(options.host, pinned.fingerprint, sshFingerprint(presented));
    }
    const message = error instanceof Error ? error.message : String(error);
    const authRefused = /authentication methods failed/i.test(message);
    throw new GuestError(
      GuestErrorCode.ConnectFailed,
      authRefused
        ? {
            id: `Guest ${options.host} menolak kunci SSH pengguna ${options.username}.`,
            en: `Guest ${options.host} refused the SSH key of user ${options.username}.`,
          }
        : {
            id: `Tidak dapat terhubung ke guest ${options.host}:${port} lewat SSH: ${message}`,
            en: `Cannot reach guest ${options.host}:${port} over SSH: ${message}`,
          },
      !authRefused,
      { host: options.host, port, cause: message },
    );
  }
  // node-ssh drops its error listener once connected; without one, a reset socket (guest
  // rebooting, network blip) would be an uncaught exception that takes the worker down.
  // The next exec then fails normally with "Not connected to server".
  ssh.connection?.on('error', () => ssh.dispose());
  return {
    host: options.host,
    port,
    username: options.username,
    hostKeyFingerprint: pinned.fingerprint,
    async exec(command, execOptions) {
      const timeoutMs = execOptions?.timeoutMs ?? options.commandTimeoutMs ?? 300_000;
      let channel: ClientChannel | undefined;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          channel?.close();
          reject(
            new GuestError(
              GuestErrorCode.CommandFailed,
              {
                id: `Perintah di guest ${options.host} tidak selesai dalam ${timeoutMs / 1000} detik.`,
                en: `A command on guest ${options.host} did not finish within ${timeoutMs / 1000} seconds.`,
              },
              true,
              { timeoutMs },
            ),
          );
        }, timeoutMs);
      });
      try {
        const run = ssh.execCommand(command, { stdin: execOptions?.stdin, noTrim: true, onChannel: (c) => (channel = c) });
        const r = await Promise.race([run, timeout]);
        return { stdout: r.stdout, stderr: r.stderr, code: r.code };
      } finally {
        clearTimeout(timer);
      }
    },
    dispose: () => ssh.dispose(),
  };
}
