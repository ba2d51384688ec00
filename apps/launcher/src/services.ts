import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

export type Service = { name: string; child: ChildProcess; exited: Promise<number | null> };

/**
 * Starts one Betang process (`apps/<name>/src/main.ts` through tsx) with the given environment;
 * its output goes to ours, each line prefixed with the service name.
 */
export function startService(name: string, env: NodeJS.ProcessEnv): Service {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'apps', name, 'src', 'main.ts')], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const prefix = (chunk: Buffer, stream: NodeJS.WriteStream) => {
    for (const line of chunk.toString().split('\n')) if (line) stream.write(`[${name}] ${line}\n`);
  };
  child.stdout?.on('data', (c: Buffer) => prefix(c, process.stdout));
  child.stderr?.on('data', (c: Buffer) => prefix(c, process.stderr));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { name, child, exited };
}

/** Waits until `url` answers 200, or throws after `timeoutMs` naming what did not come up. */
export async function waitForHttp(url: string, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} tidak siap dalam ${timeoutMs / 1000} detik / did not become ready in ${timeoutMs / 1000} s (${url})`);
}

/** Fails with a clear message when something already listens on host:port (e.g. an older Betang). */
export async function assertPortFree(host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', () =>
      reject(
        new Error(
          `port ${host}:${port} sudah dipakai (Betang lain masih berjalan?); hentikan atau set PORT / is already in use (another Betang running?); stop it or set PORT`,
        ),
      ),
    );
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}
