import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '@betang/testkit';

const REPO_CONF = path.join(__dirname, '../../infra/nginx/betang.conf');

/** The response header naming the upstream (API instance) nginx sent a request to. */
export const UPSTREAM_HEADER = 'x-test-upstream';

/**
 * The repo's nginx site (infra/nginx/betang.conf) made runnable on loopback by an unprivileged
 * user: the upstream points at `apiPorts`, the TLS server listens on plain HTTP at 127.0.0.1:`port`
 * (certificates are the office's own), the port-80 redirect server is left out, and every answer
 * names its upstream in UPSTREAM_HEADER so a test knows which instance served a stream. Every
 * location, header and timeout is the repo's. Throws when the file no longer has the shape this
 * relies on, so a changed config cannot silently go untested.
 */
export function siteConfigForTest(apiPorts: readonly number[], port: number): string {
  const original = readFileSync(REPO_CONF, 'utf8');
  const secondServer = original.indexOf('\nserver {', original.indexOf('\nserver {') + 1);
  if (!original.includes('server 127.0.0.1:3000;') || !original.includes('listen 443 ssl http2;') || secondServer < 0)
    throw new Error(`${REPO_CONF} changed shape; update test/support/nginx-proxy.ts`);
  const upstreams = apiPorts.map((p) => `server 127.0.0.1:${p};`).join('\n    ');
  return original
    .slice(0, secondServer)
    .replace('server 127.0.0.1:3000;', upstreams)
    .replace('listen 443 ssl http2;', `listen 127.0.0.1:${port};`)
    .split('\n')
    .filter((line) => !/^\s*(listen \[::\]|ssl_)/.test(line))
    .join('\n')
    .replace(/(add_header Strict-Transport-Security[^\n]*\n)/, `$1    add_header X-Test-Upstream $upstream_addr always;\n`);
}

export type NginxProxy = { url: string; port: number; child: ChildProcess; stop(): Promise<void>; errors(): string };

/** Starts nginx in the foreground with a temp prefix and the test site; resolves once it answers /healthz. */
export async function startNginxProxy(apiPorts: readonly number[]): Promise<NginxProxy> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'betang-nginx-'));
  for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(path.join(dir, sub));
  writeFileSync(path.join(dir, 'site.conf'), siteConfigForTest(apiPorts, port));
  writeFileSync(
    path.join(dir, 'nginx.conf'),
    [
      'worker_processes 1;',
      'daemon off;',
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log warn;`,
      'events { worker_connections 1024; }',
      'http {',
      '  access_log off;',
      ...['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((s) => `  ${s === 'body' ? 'client_body' : s}_temp_path ${dir}/${s};`),
      `  include ${dir}/site.conf;`,
      '}',
    ].join('\n'),
  );
  const child = spawn('nginx', ['-p', dir, '-e', path.join(dir, 'error.log'), '-c', path.join(dir, 'nginx.conf')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const errors = () => {
    let log = '';
    try {
      log = readFileSync(path.join(dir, 'error.log'), 'utf8');
    } catch {
      // not written yet
    }
    return `${stderr}${log}`.slice(-4000);
  };
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited ${child.exitCode}: ${errors()}`);
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    if (Date.now() > until) {
      child.kill('SIGKILL');
      throw new Error(`nginx did not answer /healthz: ${errors()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    child,
    errors,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGQUIT');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
