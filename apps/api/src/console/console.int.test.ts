import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startSimulator, type RunningSimulator } from '@betang/pve-simulator';
import { serveOnLoopback, TEST_PASSWORD } from '@betang/testkit';
import WebSocket from 'ws';
import { upgradeHandlerOf } from '../app';
import { startApiHarness, type ApiHarness } from '../testing/api-harness';
import { seedTenant, seedWorld, type Tenant, type World } from '../testing/tenant-fixture';
import { consoleBackendFromConfig } from './console-backend';
import type { ConsoleDeps } from './console-gateway';

jest.setTimeout(90_000);

const frame = (text: string): string => `0:${Buffer.byteLength(text)}:${text}`;

type Opened = { ws: WebSocket; text: () => string; closed: Promise<{ code: number; reason: string }> };

async function until(check: () => boolean, what: string, budgetMs = 10_000): Promise<void> {
  const end = Date.now() + budgetMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('browser serial console through the API (simulator behind it)', () => {
  let sim: RunningSimulator;
  let h: ApiHarness;
  let server: { baseUrl: string; close(): Promise<void> };
  let world: World;
  let a: Tenant;
  let b: Tenant;
  let vmid: number;
  let aCookie: string;
  let bCookie: string;
  const consoleDeps: ConsoleDeps = { backend: { open: () => Promise.reject(new Error('not yet')) } };
  let closeBackend: () => Promise<void> = async () => undefined;

  async function cookieOf(userId: string): Promise<string> {
    const { email } = await h.database.db.selectFrom('users').select('email').where('id', '=', userId).executeTakeFirstOrThrow();
    const res = await fetch(`${server.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email, password: TEST_PASSWORD }),
    });
    expect(res.status).toBe(200);
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(cookie).toMatch(/^betang_session=/);
    return cookie;
  }

  async function ticketFor(who: Tenant['staff'], vmId: string): Promise<{ status: number; ticket?: string; wsPath?: string }> {
    const res = await who.agent.post(`/api/v1/vms/${vmId}/console`).set('X-CSRF-Token', who.csrfToken).send({});
    return { status: res.status, ticket: res.body.ticket as string | undefined, wsPath: res.body.wsPath as string | undefined };
  }

  function open(ticket: string, headers: Record<string, string>): Opened {
    const ws = new WebSocket(`${server.baseUrl.replace(/^http/, 'ws')}/api/v1/console/ws?ticket=${ticket}`, ['binary'], { headers });
    let buf = '';
    ws.on('message', (d: Buffer) => (buf += d.toString('utf8')));
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    return { ws, text: () => buf, closed };
  }

  function refusal(ticket: string, headers: Record<string, string>): Promise<number> {
    const ws = new WebSocket(`${server.baseUrl.replace(/^http/, 'ws')}/api/v1/console/ws?ticket=${ticket}`, ['binary'], { headers });
    return new Promise((resolve) => {
      ws.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        res.resume();
      });
      ws.on('open', () => {
        resolve(101);
        ws.close();
      });
      ws.on('error', () => undefined);
    });
  }

  const origin = (): Record<string, string> => ({ Origin: server.baseUrl });

  beforeAll(async () => {
    sim = await startSimulator({ timeFactor: 0.01, guestSsh: false });
    const dir = mkdtempSync(path.join(tmpdir(), 'betang-console-'));
    writeFileSync(path.join(dir, 'ca.pem'), sim.caPem);
    const made = consoleBackendFromConfig({
      PVE_URL: [sim.url],
      PVE_TOKEN_ID: sim.tokenId,
      PVE_TOKEN_SECRET: sim.tokenSecret,
      PVE_CA_FILE: path.join(dir, 'ca.pem'),
    });
    if (!made) throw new Error('backend not built');
    consoleDeps.backend = made.backend;
    closeBackend = made.close;
    h = await startApiHarness({ console: consoleDeps });
    server = await serveOnLoopback(h.app, { upgrade: upgradeHandlerOf(h.app) });
    world = await seedWorld(h);
    a = await seedTenant(h, world, 'A');
    b = await seedTenant(h, world, 'B');
    const row = await h.database.db.selectFrom('vms').select(['vmid', 'name']).where('id', '=', a.ids.vm).executeTakeFirstOrThrow();
    vmid = row.vmid as number;
    // The tenant's VM exists on the cluster, booted with a console password for its user.
    const pve = async (method: string, p: string, form: Record<string, string>): Promise<string> => {
      const res = await fetch(`${sim.url}/api2/json${p}`, {
        method,
        headers: { Authorization: `PVEAPIToken=${sim.tokenId}=${sim.tokenSecret}`, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
        dispatcher: new (await import('undici')).Agent({ connect: { ca: sim.caPem } }),
      });
      const body = (await res.json()) as { data: string };
      return body.data;
    };
    await pve('POST', '/nodes/pve1/qemu/9000/clone', { newid: String(vmid), full: '1', name: row.name });
    await until(() => sim.state.vm(vmid) !== undefined && !sim.state.vm(vmid)?.config.lock, 'the clone');
    await pve('POST', `/nodes/pve1/qemu/${vmid}/config`, { ciuser: 'admin', cipassword: 'kata-sandi-konsol' });
    await until(() => sim.state.vm(vmid)?.config.cipassword === 'kata-sandi-konsol', 'the config');
    await pve('POST', `/nodes/pve1/qemu/${vmid}/status/start`, {});
    await until(() => sim.state.vm(vmid)?.status === 'running', 'the start');
    aCookie = await cookieOf(a.ids.staff);
    bCookie = await cookieOf(b.ids.staff);
  });
  afterAll(async () => {
    await server?.close();
    await h?.close();
    await closeBackend();
    await sim?.close();
  });

  it('logs in on the serial console, runs a command, relays no Proxmox ticket, audits start and end with the duration', async () => {
    const t = await ticketFor(a.staff, a.ids.vm);
    expect(t.status).toBe(201);
    expect(t.wsPath).toBe('/api/v1/console/ws');
    const c = open(t.ticket ?? '', { ...origin(), Cookie: aCookie });
    await until(() => c.text().startsWith('OK'), 'OK');
    c.ws.send(frame('\r'));
    await until(() => c.text().includes('login: '), 'the login prompt');
    c.ws.send(frame('admin\r'));
    await until(() => c.text().includes('Password: '), 'the password prompt');
    c.ws.send(frame('kata-sandi-konsol\r'));
    await until(() => c.text().includes('admin@'), 'the shell prompt');
    c.ws.send(frame('echo halo-betang\r'));
    await until(() => c.text().includes('halo-betang\r\n'), 'the echo');
    c.ws.close();
    await c.closed;
    const stream = c.text();
    expect(stream).not.toMatch(/PVEVNC|PVEAPIToken|PVEAuthCookie/);
    expect(stream).not.toContain(sim.tokenSecret);
    expect(stream).not.toContain(sim.tokenId);
    const audit = async () =>
      h.database.db
        .selectFrom('auditLog')
        .select(['action', 'after', 'institutionId', 'actorUserId'])
        .where('targetId', '=', a.ids.vm)
        .where('action', 'like', 'console.%')
        .orderBy('id')
        .execute();
    let rows = await audit();
    for (let i = 0; i < 50 && rows.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 50));
      rows = await audit();
    }
    expect(rows.map((r) => r.action)).toEqual(['console.session_started', 'console.session_ended']);
    expect(rows[0]?.actorUserId).toBe(a.ids.staff);
    expect(rows[0]?.institutionId).toBe(a.ids.institution);
    const ended = rows[1]?.after as { durationSeconds: number; reason: string };
    expect(ended.reason).toBe('closed');
    expect(ended.durationSeconds).toBeGreaterThan(0);
    // Nothing of Proxmox's tickets is stored either.
    expect(JSON.stringify(rows)).not.toMatch(/PVEVNC/);
  });

  it('a ticket opens one websocket; another user, another origin or no session are refused before the upgrade', async () => {
    const t = await ticketFor(a.staff, a.ids.vm);
    expect(await refusal(t.ticket ?? '', { Origin: 'https://evil.example', Cookie: aCookie })).toBe(403);
    expect(await refusal(t.ticket ?? '', { ...origin() })).toBe(401);
    expect(await refusal(t.ticket ?? '', { ...origin(), Cookie: bCookie })).toBe(403);
    // None of the refusals spent the ticket: A opens it, once.
    const c = open(t.ticket ?? '', { ...origin(), Cookie: aCookie });
    await until(() => c.text().startsWith('OK'), 'OK');
    expect(await refusal(t.ticket ?? '', { ...origin(), Cookie: aCookie })).toBe(403);
    c.ws.close();
    await c.closed;
    expect(await refusal('x'.repeat(43), { ...origin(), Cookie: aCookie })).toBe(403);
  });

  it("another institution's VM is 404 like a missing id, for the ticket route", async () => {
    expect((await ticketFor(b.staff, a.ids.vm)).status).toBe(404);
    expect((await ticketFor(b.staff, '00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await ticketFor(a.staff, a.ids.vm)).status).toBe(201);
  });

  it('a new ticket deletes tickets never used and ends sessions lost by a stopped API', async () => {
    const db = h.database.db;
    const old = new Date(Date.now() - 3 * 86_400_000);
    const unused = await db
      .insertInto('consoleSessions')
      .values({
        vmId: a.ids.vm,
        userId: a.ids.staff,
        ticketHash: 'unused-old',
        createdAt: old,
        expiresAt: new Date(old.getTime() + 30_000),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const cut = await db
      .insertInto('consoleSessions')
      .values({
        vmId: a.ids.vm,
        userId: a.ids.staff,
        ticketHash: 'cut-old',
        createdAt: old,
        expiresAt: new Date(old.getTime() + 30_000),
        openedAt: old,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect((await ticketFor(a.staff, a.ids.vm)).status).toBe(201);
    expect(await db.selectFrom('consoleSessions').select('id').where('id', '=', unused.id).executeTakeFirst()).toBeUndefined();
    const ended = await db
      .selectFrom('consoleSessions')
      .select(['endReason', 'endedAt'])
      .where('id', '=', cut.id)
      .executeTakeFirstOrThrow();
    expect(ended.endReason).toBe('lost');
  });

  it('the OpenAPI document lists the ticket route (session only) and describes the websocket', async () => {
    const doc = (await (await fetch(`${server.baseUrl}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { 'x-betang-token-scope'?: string }>>;
      'x-betang-websockets': Record<string, { closeCodes: Record<string, string> }>;
    };
    expect(doc.paths['/vms/{id}/console']?.post?.['x-betang-token-scope']).toBe('session-only');
    expect(Object.keys(doc['x-betang-websockets']['/console/ws']?.closeCodes ?? {})).toEqual(['1000', '1001', '4000', '4001']);
  });

  it('closes an idle session after the idle setting, with close code 4000', async () => {
    const put = await world.operator.agent
      .put('/api/v1/settings/console')
      .set('X-CSRF-Token', world.operator.csrfToken)
      .send({ idleMinutes: 1 });
    expect(put.status).toBe(200);
    consoleDeps.idleMsPerMinute = 400;
    try {
      const t = await ticketFor(a.staff, a.ids.vm);
      const c = open(t.ticket ?? '', { ...origin(), Cookie: aCookie });
      await until(() => c.text().startsWith('OK'), 'OK');
      // pings do not keep it open
      const ping = setInterval(() => c.ws.readyState === WebSocket.OPEN && c.ws.send('2'), 100);
      const closed = await c.closed;
      clearInterval(ping);
      expect(closed.code).toBe(4000);
    } finally {
      consoleDeps.idleMsPerMinute = undefined;
      await world.operator.agent.put('/api/v1/settings/console').set('X-CSRF-Token', world.operator.csrfToken).send({ idleMinutes: 15 });
    }
  });

  it('the API shutting down ends open sessions: close 1001, audited with reason shutdown', async () => {
    const t = await ticketFor(a.staff, a.ids.vm);
    const c = open(t.ticket ?? '', { ...origin(), Cookie: aCookie });
    await until(() => c.text().startsWith('OK'), 'OK');
    await upgradeHandlerOf(h.app).closeAll();
    expect((await c.closed).code).toBe(1001);
    const last = await h.database.db
      .selectFrom('auditLog')
      .select(['action', 'after'])
      .where('action', '=', 'console.session_ended')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect((last.after as { reason: string }).reason).toBe('shutdown');
  });

  it('a VM stopped on Proxmox: the console says so and closes with 4001', async () => {
    const stop = await fetch(`${sim.url}/api2/json/nodes/pve1/qemu/${vmid}/status/stop`, {
      method: 'POST',
      headers: { Authorization: `PVEAPIToken=${sim.tokenId}=${sim.tokenSecret}` },
      dispatcher: new (await import('undici')).Agent({ connect: { ca: sim.caPem } }),
    });
    expect(stop.status).toBe(200);
    await until(() => sim.state.vm(vmid)?.status === 'stopped', 'the stop');
    const t = await ticketFor(a.staff, a.ids.vm);
    const c = open(t.ticket ?? '', { ...origin(), Cookie: aCookie });
    const closed = await c.closed;
    expect(c.text()).toContain(`VM ${vmid} not running`);
    expect(closed.code).toBe(4001);
  });
});
