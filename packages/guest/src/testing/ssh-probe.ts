import { Client, type AuthenticationType } from 'ssh2';
import { parsePinnedHostKey, isPinnedHostKey } from '../host-key';

type Target = { host: string; port: number; hostKeyLine: string };

function attempt(target: Target, config: Record<string, unknown>): Promise<{ ok: boolean; error?: string }> {
  const pinned = parsePinnedHostKey(target.hostKeyLine);
  return new Promise((resolve) => {
    const client = new Client();
    client.on('ready', () => (client.end(), resolve({ ok: true })));
    client.on('error', (e) => resolve({ ok: false, error: e.message }));
    client.on('keyboard-interactive', (_name, _instructions, _lang, prompts, finish) =>
      finish(prompts.map(() => String(config.password ?? ''))),
    );
    client.connect({
      host: target.host,
      port: target.port,
      readyTimeout: 15_000,
      hostVerifier: (key: Buffer) => isPinnedHostKey(pinned, key),
      ...config,
    });
  });
}

/** The authentication methods the real sshd offers to `username` (asks with method "none"). */
export async function offeredAuthMethods(target: Target, username: string): Promise<string[]> {
  let offered: string[] = [];
  await attempt(target, {
    username,
    authHandler: (methodsLeft: AuthenticationType[] | null, _partial: boolean | null, next: (m: unknown) => void) => {
      if (methodsLeft === null) return next('none');
      offered = [...methodsLeft];
      return next(false);
    },
  });
  return offered;
}

/** Tries a password login, first as "password", then as "keyboard-interactive". */
export async function passwordLoginWorks(target: Target, username: string, password: string): Promise<boolean> {
  const asPassword = await attempt(target, { username, password });
  const asKeyboard = await attempt(target, { username, password, tryKeyboard: true, authHandler: ['keyboard-interactive'] });
  return asPassword.ok || asKeyboard.ok;
}

/** Tries a public-key login. */
export async function keyLoginWorks(target: Target, username: string, privateKey: string): Promise<boolean> {
  return (await attempt(target, { username, privateKey })).ok;
}
