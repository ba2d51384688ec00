import { readdirSync } from 'node:fs';
import path from 'node:path';
import { WEB_DIST_DIR } from './support/web-build';
import { startWebStack, type WebStack } from './support/web-stack';

jest.setTimeout(120_000);

describe('API serving the built web UI (WEB_DIST_DIR)', () => {
  let stack: WebStack;

  beforeAll(async () => {
    stack = await startWebStack();
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('should answer index.html for app paths, with a CSP that allows only same-origin code', async () => {
    for (const route of ['/', '/login', '/institutions/3f1c2d4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f', '/account/tokens?x=1']) {
      const response = await fetch(`${stack.baseUrl}${route}`);
      expect([route, response.status, response.headers.get('content-type')]).toEqual([route, 200, 'text/html; charset=utf-8']);
      expect(await response.text()).toContain('<div id="root"></div>');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('upgrade-insecure-requests');
    }
  });

  it('should serve hashed assets with a long cache lifetime', async () => {
    const script = readdirSync(path.join(WEB_DIST_DIR, 'assets')).find((name) => name.endsWith('.js'));
    const response = await fetch(`${stack.baseUrl}/assets/${script}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(response.headers.get('content-type')).toMatch(/javascript/);
  });

  it('should keep the JSON 404 for unknown API paths and not serve the app for unsafe methods', async () => {
    const api = await fetch(`${stack.baseUrl}/api/v1/no-such-resource`);
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    const bare = await fetch(`${stack.baseUrl}/api`);
    expect(bare.status).toBe(404);
    const post = await fetch(`${stack.baseUrl}/institutions`, { method: 'POST' });
    expect(post.status).toBe(404);
    expect(post.headers.get('content-type')).toMatch(/json/);
  });

  it('should not let a path escape the build directory', async () => {
    for (const probe of ['/..%2f..%2fpackage.json', '/assets/..%2f..%2f..%2fpackage.json', '/%2e%2e/%2e%2e/package.json']) {
      const response = await fetch(`${stack.baseUrl}${probe}`);
      const text = await response.text();
      expect([probe, text.includes('"workspaces"')]).toEqual([probe, false]);
    }
  });
});
