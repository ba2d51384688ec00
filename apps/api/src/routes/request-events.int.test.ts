import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Role } from '@betang/core';
import { pruneRequestEvents } from '@betang/db';
import {
  makeInstitution,
  makeQueuedProvisionRun,
  makeUser,
  type QueuedProvision,
  testLogDestination,
  testLogOptions,
} from '@betang/testkit';
import type { Express } from 'express';
import { pino } from 'pino';
import { createApp } from '../app';
import { RequestEventHub, type RequestEventHubOptions } from '../events/request-event-hub';
import { startApiHarness, type ApiHarness } from '../testing/api-harness';
import { loginCookie, openSse, type SseClient, type SseMessage } from '../testing/sse-client';

type Envelope = { id: number; requestId: string; kind: string; at: string; data: Record<string, unknown> };
const isEvent = (m: SseMessage) => !m.comment && m.retry === undefined;
const body = (m: SseMessage) => JSON.parse(m.data) as Envelope;

describe('GET /vps-requests/:id/events (Server-Sent Events)', () => {
  let h: ApiHarness;
  let base: string;
  const servers: Server[] = [];
  const hubs: RequestEventHub[] = [];
  const clients: SseClient[] = [];
  let staffCookie: string;
  let operatorCookie: string;
  let otherCookie: string;
  let request: QueuedProvision;
  let octet = 60;

  const listen = async (app: Express) => {
    const server = app.listen(0, '127.0.0.1');
    servers.push(server);
    await once(server, 'listening');
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  const anotherInstance = async (options: Partial<RequestEventHubOptions>) => {
    const hub = new RequestEventHub({
      db: h.database.db,
      logger: pino(testLogOptions('request-events'), testLogDestination('request-events')),
      ...options,
    });
    hubs.push(hub);
    return { hub, base: await listen(createApp({ ...h.deps, requestEvents: hub })) };
  };
  const stream = async (url: string, path: string, cookie = staffCookie, headers: Record<string, string> = {}) => {
    const client = await openSse(url, path, cookie, headers);
    clients.push(client);
    return client;
  };
  const path = (id = request.requestId) => `/api/v1/vps-requests/${id}/events`;
  const db = () => h.database.db;
  /** What the worker does, straight in the database (no API code involved). */
  const workerSteps = async (p: QueuedProvision) => {
    await db()
      .updateTable('provisioningRuns')
      .set({ status: 'running', attempt: 1, progress: 10, currentStep: 'clone' })
      .where('id', '=', p.runId)
      .execute();
    await db()
      .insertInto('runSteps')
      .values({ runId: p.runId, key: 'clone', position: 1, status: 'running', attempt: 1, startedAt: new Date() })
      .execute();
    await db().updateTable('vpsRequests').set({ status: 'provisioning' }).where('id', '=', p.requestId).execute();
    await db()
      .updateTable('runSteps')
      .set({ status: 'done', finishedAt: new Date(), detail: 'UPID selesai' })
      .where('runId', '=', p.runId)
      .execute();
    await db().updateTable('provisioningRuns').set({ progress: 60, currentStep: 'start' }).where('id', '=', p.runId).execute();
  };
  const newRequest = () => makeQueuedProvisionRun(db(), { poolOctet: (octet += 1) });
  const staffOf = async (p: QueuedProvision) =>
    loginCookie(base, (await makeUser(db(), { roles: [Role.InstitutionStaff], institutionId: p.institutionId })).email);

  beforeAll(async () => {
    h = await startApiHarness();
    base = await listen(h.app);
    request = await newRequest();
    const staff = await makeUser(db(), { roles: [Role.InstitutionStaff], institutionId: request.institutionId });
    staffCookie = await loginCookie(base, staff.email);
    operatorCookie = await loginCookie(base, (await makeUser(db(), { roles: [Role.Operator] })).email);
    const other = await makeInstitution(db());
    otherCookie = await loginCookie(base, (await makeUser(db(), { roles: [Role.InstitutionHead], institutionId: other.id })).email);
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    // The server notices a client's disconnect asynchronously; the next test counts from zero.
    await waitUntil(() => h.deps.requestEvents!.stats().streams === 0);
  });
  afterAll(async () => {
    await Promise.all(hubs.map((hub) => hub.stop()));
    for (const server of servers) server.closeAllConnections();
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    await h.close();
  });

  it('should start with a snapshot, then stream the worker’s database changes in order with SSE headers', async () => {
    const p = await newRequest();
    const cookie = await staffOf(p);
    const client = await stream(base, path(p.requestId), cookie);
    expect(client.status).toBe(200);
    expect(client.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(client.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(client.headers.get('x-accel-buffering')).toBe('no');
    const [snapshot] = await client.waitFor((m) => m.event === 'snapshot');
    expect(client.messages[0]!.retry).toBe(3000);
    const snap = body(snapshot!);
    expect(snap).toMatchObject({
      kind: 'snapshot',
      requestId: p.requestId,
      data: { id: p.requestId, status: 'queued', run: { id: p.runId, status: 'queued' } },
    });
    expect(snapshot!.id).toBe(String(snap.id));

    await workerSteps(p);
    const events = await client.waitFor(isEvent, 6);
    expect(events.map((m) => m.event)).toEqual(['snapshot', 'run', 'run.step', 'request.status', 'run.step', 'run']);
    const ids = events.map((m) => Number(m.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    expect(body(events[1]!).data).toMatchObject({ runId: p.runId, status: 'running', progress: 10, currentStep: 'clone' });
    expect(body(events[3]!).data).toEqual({ status: 'provisioning', previousStatus: 'queued', statusReason: null });
    // Step details are operators' detail (node names, task ids): the institution's stream carries none.
    expect(body(events[4]!).data).toMatchObject({ key: 'clone', status: 'done', detail: null });
    expect(body(events[5]!)).toMatchObject({
      id: ids[5],
      requestId: p.requestId,
      kind: 'run',
      data: { progress: 60, currentStep: 'start' },
    });
  });

  it('should resume after Last-Event-ID without loss or duplicates (header and query)', async () => {
    const p = await newRequest();
    const cookie = await staffOf(p);
    const first = await stream(base, path(p.requestId), cookie);
    await first.waitFor((m) => m.event === 'snapshot');
    await db().updateTable('provisioningRuns').set({ status: 'running', progress: 5 }).where('id', '=', p.runId).execute();
    await db().updateTable('provisioningRuns').set({ progress: 15 }).where('id', '=', p.runId).execute();
    const seen = await first.waitFor(isEvent, 3);
    first.close();
    const resumeFrom = seen[1]!.id!; // the client got progress 5, then lost the connection
    await db().updateTable('provisioningRuns').set({ progress: 25 }).where('id', '=', p.runId).execute();
    await db().updateTable('vpsRequests').set({ status: 'provisioning' }).where('id', '=', p.requestId).execute();

    const resumed = await stream(base, path(p.requestId), cookie, { 'last-event-id': resumeFrom });
    const replay = await resumed.waitFor(isEvent, 3);
    expect(replay.map((m) => [m.event, body(m).data.progress ?? body(m).data.status])).toEqual([
      ['run', 15],
      ['run', 25],
      ['request.status', 'provisioning'],
    ]);
    expect(Number(replay[0]!.id)).toBeGreaterThan(Number(resumeFrom));

    const byQuery = await stream(base, `${path(p.requestId)}?lastEventId=${replay[1]!.id}`, cookie);
    const rest = await byQuery.waitFor(isEvent, 1);
    expect(rest.map((m) => m.id)).toEqual([replay[2]!.id]);
    await new Promise((r) => setTimeout(r, 300));
    expect(resumed.messages.filter(isEvent)).toHaveLength(3);
    expect(byQuery.messages.filter(isEvent)).toHaveLength(1);
  });

  it('should refuse a hostile Last-Event-ID and start over from a snapshot for an id that never existed', async () => {
    for (const bad of ['-1', '1 OR 1=1', '1e9', '９']) {
      const response = await fetch(`${base}${path()}`, { headers: { cookie: staffCookie, 'last-event-id': encodeURIComponent(bad) } });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('VALIDATION_FAILED');
    }
    const future = await stream(base, path(), staffCookie, { 'last-event-id': '9007199254740991' });
    const [first] = await future.waitFor(isEvent);
    expect(first!.event).toBe('snapshot');
  });

  it('should deliver every event on two API instances, each with its own LISTEN connection', async () => {
    const p = await newRequest();
    const cookie = await staffOf(p);
    // A poll this slow cannot deliver within the test: only NOTIFY can.
    const one = await anotherInstance({ connectionString: h.database.url, pollIntervalMs: 60_000 });
    const two = await anotherInstance({ connectionString: h.database.url, pollIntervalMs: 60_000 });
    const a = await stream(one.base, path(p.requestId), cookie);
    const b = await stream(two.base, path(p.requestId), cookie);
    await Promise.all([a.waitFor((m) => m.event === 'snapshot'), b.waitFor((m) => m.event === 'snapshot')]);
    await waitUntil(() => one.hub.stats().listening && two.hub.stats().listening);
    await workerSteps(p);
    const [fromA, fromB] = await Promise.all([a.waitFor(isEvent, 6, 3000), b.waitFor(isEvent, 6, 3000)]);
    expect(fromA.map((m) => [m.event, m.id])).toEqual(fromB.map((m) => [m.event, m.id]));
    expect(fromA.slice(1).map((m) => m.event)).toEqual(['run', 'run.step', 'request.status', 'run.step', 'run']);
  });

  it('should deliver through the fallback poll when no notification arrives', async () => {
    const p = await newRequest();
    const cookie = await staffOf(p);
    const pollOnly = await anotherInstance({ pollIntervalMs: 200 }); // no connectionString: never LISTENs
    const client = await stream(pollOnly.base, path(p.requestId), cookie);
    await client.waitFor((m) => m.event === 'snapshot');
    await workerSteps(p);
    const events = await client.waitFor(isEvent, 6, 3000);
    expect(events.slice(1).map((m) => m.event)).toEqual(['run', 'run.step', 'request.status', 'run.step', 'run']);
    expect(pollOnly.hub.stats()).toMatchObject({ listening: false, streams: 1 });
  });

  it('should answer 404 for another institution’s request and 401 without a session, before any stream starts', async () => {
    const hub = h.deps.requestEvents!;
    const foreign = await fetch(`${base}${path()}`, { headers: { cookie: otherCookie, accept: 'text/event-stream' } });
    expect(foreign.status).toBe(404);
    expect(foreign.headers.get('content-type')).toMatch(/application\/json/);
    expect(((await foreign.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    const missing = await fetch(`${base}${path('00000000-0000-4000-8000-000000000000')}`, { headers: { cookie: staffCookie } });
    expect(missing.status).toBe(404);
    expect((await fetch(`${base}${path()}`)).status).toBe(401);
    expect((await fetch(`${base}${path('not-a-uuid')}`, { headers: { cookie: staffCookie } })).status).toBe(400);
    expect(hub.stats().streams).toBe(0);
    const operator = await stream(base, path(), operatorCookie);
    expect(operator.status).toBe(200);
    await operator.waitFor((m) => m.event === 'snapshot');
  });

  it('should free the subscription, the user’s slot and the poll when the client disconnects', async () => {
    const hub = h.deps.requestEvents!;
    const client = await stream(base, path());
    await client.waitFor((m) => m.event === 'snapshot');
    expect(hub.stats()).toMatchObject({ streams: 1, topics: 1, users: 1, polling: true });
    client.close();
    await waitUntil(() => hub.stats().streams === 0);
    expect(hub.stats()).toMatchObject({ streams: 0, topics: 0, users: 0, polling: false });
  });

  it('should cap open streams per user with 429 and admit again after one closes', async () => {
    const open = await Promise.all(Array.from({ length: 10 }, () => stream(base, path())));
    expect(open.map((c) => c.status)).toEqual(Array(10).fill(200));
    const refused = await fetch(`${base}${path()}`, { headers: { cookie: staffCookie } });
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    const others = await stream(base, path(), operatorCookie); // another user is not affected
    expect(others.status).toBe(200);
    open[0]!.close();
    await waitUntil(() => h.deps.requestEvents!.stats().streams === 10);
    const again = await stream(base, path());
    expect(again.status).toBe(200);
    expect(h.deps.requestEvents!.stats().users).toBe(2);
  });

  it('should send heartbeats and end a stream at its maximum duration (the browser then resumes)', async () => {
    const short = await anotherInstance({ connectionString: h.database.url, stream: { heartbeatMs: 100, maxDurationMs: 700 } });
    const client = await stream(short.base, path());
    await client.waitFor((m) => m.comment === 'heartbeat', 2, 2000);
    await client.ended;
    expect(client.messages.filter(isEvent).map((m) => m.event)).toEqual(['snapshot']);
    await waitUntil(() => short.hub.stats().streams === 0);
  });

  it('should end open streams when the hub stops (shutdown) and refuse new ones', async () => {
    const stopping = await anotherInstance({ connectionString: h.database.url });
    const client = await stream(stopping.base, path());
    await client.waitFor((m) => m.event === 'snapshot');
    await stopping.hub.stop();
    await client.ended;
    expect(stopping.hub.stats()).toMatchObject({ streams: 0, listening: false, polling: false });
    expect((await fetch(`${stopping.base}${path()}`, { headers: { cookie: staffCookie } })).status).toBe(503);
  });

  // Last: pruning deletes every event up to the watermark, whichever request it belongs to.
  it('should start over from a snapshot when the events after Last-Event-ID were pruned, and resume above the watermark', async () => {
    const p = await newRequest();
    const cookie = await staffOf(p);
    await db().updateTable('provisioningRuns').set({ status: 'running', progress: 5 }).where('id', '=', p.runId).execute();
    await db().updateTable('provisioningRuns').set({ progress: 15 }).where('id', '=', p.runId).execute();
    await db().updateTable('provisioningRuns').set({ progress: 25 }).where('id', '=', p.runId).execute();
    const events = await db().selectFrom('requestEvents').select(['id']).where('requestId', '=', p.requestId).orderBy('id').execute();
    const [oldest, middle, newest] = events.slice(-3).map((e) => Number(e.id));
    await db()
      .updateTable('requestEvents')
      .set({ at: new Date(Date.now() - 40 * 86_400_000) })
      .where('id', '<=', middle!)
      .execute();

    const pruned = await pruneRequestEvents(db(), new Date(Date.now() - 30 * 86_400_000));
    expect(pruned.prunedThrough).toBe(middle);
    expect(pruned.deleted).toBeGreaterThanOrEqual(2);
    expect(await db().selectFrom('requestEvents').select('id').where('id', '<=', middle!).execute()).toHaveLength(0);
    expect(await pruneRequestEvents(db(), new Date(Date.now() - 30 * 86_400_000))).toEqual({ deleted: 0, prunedThrough: middle });

    const lost = await stream(base, path(p.requestId), cookie, { 'last-event-id': String(oldest) });
    expect((await lost.waitFor(isEvent))[0]!.event).toBe('snapshot');
    const kept = await stream(base, path(p.requestId), cookie, { 'last-event-id': String(middle) });
    const replay = await kept.waitFor(isEvent);
    expect(replay.map((m) => [m.event, Number(m.id), body(m).data.progress])).toEqual([['run', newest, 25]]);
  });
});

async function waitUntil(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
