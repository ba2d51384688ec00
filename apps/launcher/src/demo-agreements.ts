import { DEMO_PASSWORD, type DemoSeed } from './seed-demo';

type Session = (method: string, path: string, body?: unknown) => Promise<unknown>;

async function signIn(base: string, email: string): Promise<Session> {
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: DEMO_PASSWORD }),
  });
  if (!login.ok) throw new Error(`demo sign-in of ${email} failed: ${login.status}`);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  return async (method, path, body) => {
    const response = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`demo ${method} ${path} failed: ${response.status} ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : undefined;
  };
}

/**
 * Creates the demo agreements through the real API, as people would: Biro Adpim's is generated,
 * signed by its head and countersigned by the data-center head (so requests can be made at once);
 * Dinas Kesehatan's waits for its head's signature (so signing can be tried in the browser).
 */
export async function createDemoAgreements(base: string, seed: DemoSeed): Promise<void> {
  const operator = await signIn(base, 'operator@betang.demo');
  const ceiling = { cores: 32, memoryMiB: 65_536, diskGiB: 1000, vmCount: 10, ipCount: 10 };
  const adpim = (await operator('POST', '/agreements', {
    institutionId: seed.adpim.institutionId,
    ceiling,
    applicationIds: seed.adpim.applicationIds,
    osTemplates: ['Debian 12', 'Ubuntu 24.04 LTS'],
  })) as { id: string };
  await (
    await signIn(base, 'kepala.adpim@betang.demo')
  )('POST', `/agreements/${adpim.id}/signatures`, { password: DEMO_PASSWORD, consent: true });
  await (
    await signIn(base, 'kadis@betang.demo')
  )('POST', `/agreements/${adpim.id}/signatures`, { password: DEMO_PASSWORD, consent: true });
  await operator('POST', '/agreements', {
    institutionId: seed.dinkes.institutionId,
    ceiling: { ...ceiling, cores: 16, memoryMiB: 32_768, vmCount: 4, ipCount: 4 },
    applicationIds: seed.dinkes.applicationIds,
    osTemplates: ['Debian 12'],
  });
}
