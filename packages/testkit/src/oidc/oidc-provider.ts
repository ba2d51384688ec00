import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

/** What the test provider knows about a person (standard claims plus `nip`). */
export type TestOidcAccount = {
  email?: string;
  email_verified?: boolean;
  name?: string;
  nip?: string;
  /** The authentication methods its logins report in the ID token (`amr`); absent: none. */
  amr?: string[];
};

/** Settings of a test provider. */
export type TestOidcProviderOptions = {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  /** Login name (the subject) → claims. */
  accounts: Record<string, TestOidcAccount>;
  /** Appended to http://127.0.0.1:<port> in the issuer it names (discovery stays at the root): a provider that names another issuer. */
  issuerSuffix?: string;
};

/** How the provider misbehaves from now on (see provider-process.mjs). */
export type TestOidcFaults = { clockOffsetSeconds?: number; tamperIdToken?: boolean };

/** A running test provider. */
export type TestOidcProvider = {
  /** Its base URL (discovery at /.well-known/openid-configuration). */
  url: string;
  /** The issuer it names in discovery and tokens. */
  issuer: string;
  setFaults(faults: TestOidcFaults): Promise<void>;
  stop(): Promise<void>;
};

/**
 * Starts a real OpenID Connect provider (`oidc-provider`, in a child process) on 127.0.0.1 and a
 * random port; resolves once it listens. The caller stops it (stop() kills only that process).
 */
export async function startTestOidcProvider(options: TestOidcProviderOptions): Promise<TestOidcProvider> {
  const child: ChildProcess = spawn(process.execPath, [path.join(__dirname, 'provider-process.mjs')], {
    env: { ...process.env, NODE_OPTIONS: '', OIDC_TEST_PROVIDER: JSON.stringify(options) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const line = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error(`test OIDC provider did not start in 20 s: ${stderr}`)), 20_000);
    lines.on('line', (text) => {
      if (!text.startsWith('listening ')) return;
      clearTimeout(timer);
      resolve(text);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`test OIDC provider exited (${code}): ${stderr}`));
    });
  });
  const [, port, issuer] = line.split(' ');
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    issuer: issuer!,
    async setFaults(faults) {
      const response = await fetch(`${url}/__test/faults`, { method: 'POST', body: JSON.stringify(faults) });
      if (response.status !== 204) throw new Error(`setting faults failed: ${response.status}`);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** A tiny cookie jar for one origin (names and values only; tests never outlive a cookie). */
class Jar {
  private readonly cookies = new Map<string, string>();
  take(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const eq = pair!.indexOf('=');
      const value = pair!.slice(eq + 1);
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(header)) this.cookies.delete(pair!.slice(0, eq));
      else this.cookies.set(pair!.slice(0, eq), value);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/**
 * Goes through the provider's login as a person would, without a browser: opens the
 * authorization URL, fills its login form with `login` (the development form accepts any
 * password) and follows redirects until the provider sends the browser back to `redirectUri`.
 * Returns that callback URL (with code, state and iss).
 */
export async function signInAtTestProvider(authorizationUrl: string, login: string, redirectUri: string): Promise<string> {
  const jar = new Jar();
  let next: { url: string; init: RequestInit } = { url: authorizationUrl, init: {} };
  for (let hop = 0; hop < 12; hop++) {
    const response = await fetch(next.url, { ...next.init, redirect: 'manual', headers: { ...next.init.headers, cookie: jar.header() } });
    jar.take(response);
    const location = response.headers.get('location');
    if (location) {
      const target = new URL(location, next.url).toString();
      if (target.startsWith(redirectUri)) return target;
      next = { url: target, init: {} };
      continue;
    }
    const html = await response.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (response.status !== 200 || !action || !html.includes('name="login"'))
      throw new Error(`unexpected page at the provider (${response.status}): ${html.slice(0, 300)}`);
    next = {
      url: new URL(action.replace(/&amp;/g, '&'), next.url).toString(),
      init: {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ prompt: 'login', login, password: 'any' }).toString(),
      },
    };
  }
  throw new Error('the provider never sent the browser back');
}
