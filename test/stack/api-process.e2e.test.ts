import { createTestDatabase, freePort, killChild, startApiProcess, type TestDatabase, type TsChild } from '@betang/testkit';

/**
 * testkit's API launcher against the real process: with an ops port it waits on the operations
 * listener's /readyz (which the public port never serves), without one on the public /healthz.
 */
jest.setTimeout(120_000);

describe('startApiProcess', () => {
  let t: TestDatabase;
  const started: TsChild[] = [];
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    for (const child of started) await killChild(child);
    await t?.drop();
  });

  it('should wait on the ops listener when given its port, and on /healthz without one', async () => {
    const [port, opsPort, plainPort] = [await freePort(), await freePort(), await freePort()];
    started.push(await startApiProcess({ databaseUrl: t.url, port, opsPort }));
    expect((await fetch(`http://127.0.0.1:${opsPort}/readyz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(404);

    started.push(await startApiProcess({ databaseUrl: t.url, port: plainPort }));
    expect((await fetch(`http://127.0.0.1:${plainPort}/healthz`)).status).toBe(200);
  });
});
