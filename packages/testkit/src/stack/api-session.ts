/*
 * A minimal cookie + CSRF client for a real API process (chaos, bench): sign in, submit, approve, read.
 * Calls that hit a restarting database are retried a few times (what a person pressing the
 * button again would do); every call is to 127.0.0.1.
 */
import { testSshKey } from '../request-factories';
import { TEST_PASSWORD } from '../test-secrets';

export type Session = { base: string; cookie: string; csrfToken: string };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Signs in through POST /api/v1/auth/login. */
export async function signIn(base: string, email: string): Promise<Session> {
  const response = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: TEST_PASSWORD }),
  });
  if (response.status !== 200) throw new Error(`sign-in of ${email}: ${response.status} ${await response.text()}`);
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  return { base, cookie, csrfToken };
}

/** A JSON call with the session; 5xx and connection errors are retried up to `tries` times. */
export async function call<T>(
  s: Session,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  tries = 5,
): Promise<{ status: number; body: T }> {
  for (let i = 1; ; i += 1) {
    try {
      const response = await fetch(`${s.base}${path}`, {
        method,
        headers: { cookie: s.cookie, ...(method === 'POST' ? { 'content-type': 'application/json', 'x-csrf-token': s.csrfToken } : {}) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      if (response.status >= 500 && i < tries) throw new Error(`${response.status} ${text}`);
      return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
    } catch (error) {
      if (i >= tries) throw error;
      await sleep(500 * i);
    }
  }
}

/** The submit body of a small Debian request named `hostname`. */
export function submitBody(applicationId: string, hostname: string) {
  return {
    applicationId,
    hostname,
    templateId: 'debian-12',
    presetId: 'small',
    sshPublicKeys: [testSshKey()],
    purpose: 'Uji ketahanan platform (chaos)',
    network: { publicAccess: false, ports: [] },
    contact: { name: 'Budi Santoso', nip: '198501012010011001', phone: '081255550101', email: 'budi@kalteng.go.id' },
  };
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function inParallel<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i] as T, i);
    }
  });
  await Promise.all(lanes);
  return out;
}
