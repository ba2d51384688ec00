import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, portIsFree } from './ports';
import { isAlive, spawnTs, startAnnouncingChild, stopChild, waitHttpOk } from './processes';
import { serveOnLoopback } from './loopback-server';

describe('stack launcher', () => {
  let dir: string;
  const entry = (name: string, code: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, code);
    return file;
  };
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'betang-stack-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should resolve with the JSON line a child announces, and kill a child that ignores SIGTERM after the grace time', async () => {
    const file = entry(
      'stubborn.ts',
      "process.on('SIGTERM', () => undefined);\nprocess.stdout.write(JSON.stringify({ port: 1234 }) + '\\n');\nsetInterval(() => undefined, 1000);\n",
    );
    const started = await startAnnouncingChild<{ port: number }>(file, {}, { logToFiles: false });
    expect(started.port).toBe(1234);
    await stopChild(started.child, 300);
    expect(isAlive(started.child)).toBe(false);
    expect(started.child.signalCode).toBe('SIGKILL');
  });

  it('should fail waiting for a URL with the output of a child that exited first', async () => {
    const child = spawnTs(entry('refuses.ts', "console.error('DATABASE_URL wajib diisi');\nprocess.exit(3);\n"), {}, { logToFiles: false });
    await expect(waitHttpOk(`http://127.0.0.1:${await freePort()}/healthz`, child, 20_000)).rejects.toThrow(
      /exited before .*DATABASE_URL wajib diisi/s,
    );
  });

  it('should serve on loopback and free the port on close, even with a connection left open', async () => {
    const server = await serveOnLoopback((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': open\n\n');
    });
    const response = await fetch(server.baseUrl);
    expect(response.status).toBe(200);
    await server.close();
    expect(await portIsFree(server.port)).toBe(true);
    await response.body?.cancel().catch(() => undefined);
  });
});
