import { Role } from '@betang/core';
import { latestRequestEventId, putSetting, type Db } from '@betang/db';
import {
  makeInstitution,
  makeQueuedProvisionRun,
  makeUser,
  testLogDestination,
  testLogOptions,
  type QueuedProvision,
} from '@betang/testkit';
import type { Express } from 'express';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { pino } from 'pino';
import { createApp } from '../app';
import { signInAs, startApiHarness, type ApiHarness, type SignedIn } from '../testing/api-harness';
import { RequestEventHub } from './request-event-hub';
import { RequestViewCache, type RequestViewCacheOptions } from './request-view-cache';

/** Counts every query PostgreSQL answers through the wrapped Db (prepared ones included). */
class RoundTrips implements KyselyPlugin {
  count = 0;
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }
  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    this.count += 1;
    return Promise.resolve(args.result);
  }
}

/** A channel no trigger notifies: the cache then hears nothing, so only the other rules keep it right. */
const SILENT = 'betang_request_view_silent_in_test';

const waitUntil = async (check: () => boolean | Promise<boolean>, timeoutMs = 5000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('status-read cache (GET /vps-requests/:id)', () => {
  let h: ApiHarness;
  const caches: RequestViewCache[] = [];
  const hubs: RequestEventHub[] = [];
  let octet = 80;
  const db = (): Db => h.database.db;
  const logger = () => pino(testLogOptions('request-view-cache'), testLogDestination('request-view-cache'));

  /** One more API instance over the same database, with its own cache (started and listening). */
  const instance = async (options: Partial<RequestViewCacheOptions> = {}, over: Db = db()) => {
    const cache = new RequestViewCache({ db: over, logger: logger(), connectionString: h.database.url, ttlMs: 60_000, ...options });
    caches.push(cache);
    await waitUntil(() => cache.stats().listening);
    return { cache, app: createApp({ ...h.deps, db: over, requestViewCache: cache }) };
  };
  const statusOf = async (client: SignedIn, id: string) => {
    const response = await client.agent.get(`/api/v1/vps-requests/${id}`);
    return { status: response.status, body: response.body as { status?: string; run?: { progress: number } } };
  };
  const newRequest = (): Promise<QueuedProvision> => makeQueuedProvisionRun(db(), { poolOctet: (octet += 1) });
  /** The head of the request's institution (may read and cancel it). */
  const requester = async (app: Express, p: QueuedProvision) =>
    signInAs(app, (await makeUser(db(), { roles: [Role.InstitutionHead], institutionId: p.institutionId })).email);
  /** What the worker does: a change straight in the database, no API instance involved. */
  const workerProgress = (p: QueuedProvision, progress: number) =>
    db().updateTable('provisioningRuns').set({ progress }).where('id', '=', p.runId).execute();

  beforeAll(async () => {
    h = await startApiHarness();
  });
  afterAll(async () => {
    await Promise.all([...caches.map((c) => c.stop()), ...hubs.map((hub) => hub.stop())]);
    await h.close();
  });

  it('should answer a repeated status read with one PostgreSQL round trip (the session) instead of two', async () => {
    const trips = new RoundTrips();
    const counted = db().withPlugin(trips);
    const p = await newRequest();
    const uncached = createApp({ ...h.deps, db: counted });
    const { app: cachedApp, cache } = await instance({}, counted);
    const before = await requester(uncached, p);
    const after = await requester(cachedApp, p);
    const tripsOf = async (client: SignedIn) => {
      const start = trips.count;
      expect((await statusOf(client, p.requestId)).status).toBe(200);
      return trips.count - start;
    };
    expect([await tripsOf(before), await tripsOf(before)]).toEqual([2, 2]);
    // The first read fills the cache; the second needs only the session lookup.
    expect([await tripsOf(after), await tripsOf(after)]).toEqual([2, 1]);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1 });
  });

  it('should show the writer its own write at once, even when no notification ever arrives', async () => {
    const p = await newRequest();
    const { app, cache } = await instance({ channel: SILENT });
    const client = await requester(app, p);
    expect((await statusOf(client, p.requestId)).body.status).toBe('queued');
    expect((await statusOf(client, p.requestId)).body.status).toBe('queued');
    expect(cache.stats().hits).toBe(1);
    const cancelled = await client.agent
      .post(`/api/v1/vps-requests/${p.requestId}/cancel`)
      .set('X-CSRF-Token', client.csrfToken)
      .send({ reason: 'tidak jadi' });
    expect(cancelled.status).toBe(200);
    expect((await statusOf(client, p.requestId)).body.status).toBe('cancelled');
  });

  it('should see a write of another instance and of the worker through the notification, well before the TTL', async () => {
    const p = await newRequest();
    const one = await instance();
    const two = await instance();
    const deaf = await instance({ channel: SILENT });
    const onOne = await requester(one.app, p);
    const onTwo = await requester(two.app, p);
    const onDeaf = await requester(deaf.app, p);
    for (const client of [onOne, onDeaf]) {
      await statusOf(client, p.requestId);
      expect((await statusOf(client, p.requestId)).body.status).toBe('queued');
    }
    expect(one.cache.stats().hits).toBe(1);

    await workerProgress(p, 40);
    await waitUntil(async () => (await statusOf(onOne, p.requestId)).body.run?.progress === 40, 2000);

    const cancelled = await onTwo.agent
      .post(`/api/v1/vps-requests/${p.requestId}/cancel`)
      .set('X-CSRF-Token', onTwo.csrfToken)
      .send({ reason: 'tidak jadi' });
    expect(cancelled.status).toBe(200);
    await waitUntil(async () => (await statusOf(onOne, p.requestId)).body.status === 'cancelled', 2000);
    // The control: an instance that hears nothing keeps its entry for the whole TTL.
    expect((await statusOf(onDeaf, p.requestId)).body).toMatchObject({ status: 'queued', run: { progress: 0 } });
  });

  it('should hear changes that request_events does not record, and drop every entry when a shared setting changes', async () => {
    const p = await newRequest();
    const q = await newRequest();
    const { app, cache } = await instance();
    const client = await requester(app, p);
    await statusOf(client, p.requestId);
    await cache.read(q.requestId);
    expect(cache.stats().entries).toBe(2);
    // The purpose is in the view but emits no request event (only status changes do).
    await db().updateTable('vpsRequests').set({ purpose: 'Tujuan yang diperbarui oleh admin' }).where('id', '=', p.requestId).execute();
    await waitUntil(
      async () => ((await statusOf(client, p.requestId)).body as { purpose?: string }).purpose === 'Tujuan yang diperbarui oleh admin',
      2000,
    );
    expect(cache.stats().entries).toBe(2);
    // The approval policy is shared by every view awaiting a decision: `*` empties the cache.
    await putSetting(db(), 'approval_policy', { levels: [] }, null);
    await waitUntil(() => cache.stats().entries === 0, 2000);
  });

  it('should drop the entry of a request before a stream of the same instance shows its event', async () => {
    const p = await newRequest();
    // Poll-only hub and a deaf cache: only the delivery hook can refresh the entry.
    const hub = new RequestEventHub({ db: db(), logger: logger(), pollIntervalMs: 50 });
    hubs.push(hub);
    const { cache } = await instance({ channel: SILENT });
    createApp({ ...h.deps, requestEvents: hub, requestViewCache: cache });
    await cache.read(p.requestId);
    const seen: number[] = [];
    let fresh: number | undefined;
    const sink = {
      closed: false,
      deliver: (row: { data: unknown }) => {
        seen.push(1);
        // What a client reading the request right after the event would get.
        if ((row.data as { progress?: number }).progress === 55) void cache.read(p.requestId).then((v) => (fresh = v?.view.run?.progress));
      },
      close: () => undefined,
    };
    hub.subscribe(p.requestId, await latestRequestEventId(db(), p.requestId), sink, hub.admit('test-user'));
    await workerProgress(p, 55);
    await waitUntil(() => fresh !== undefined, 3000);
    expect(fresh).toBe(55);
    expect(seen.length).toBeGreaterThan(0);
  });

  it('should never serve an entry older than the TTL, notification or not', async () => {
    const p = await newRequest();
    let now = 1_000_000;
    const { app, cache } = await instance({ channel: SILENT, ttlMs: 5000, now: () => now });
    const client = await requester(app, p);
    await statusOf(client, p.requestId);
    await workerProgress(p, 70);
    now += 4999;
    expect((await statusOf(client, p.requestId)).body.run?.progress).toBe(0);
    now += 1;
    expect((await statusOf(client, p.requestId)).body.run?.progress).toBe(70);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 2 });
  });

  it('should never serve a cached request to another institution, and still to operators', async () => {
    const p = await newRequest();
    const { app, cache } = await instance();
    // Everyone signs in first: a sign-in is a write, and a write empties the cache.
    const owner = await requester(app, p);
    const other = await makeInstitution(db());
    const outsider = await signInAs(app, (await makeUser(db(), { roles: [Role.InstitutionHead], institutionId: other.id })).email);
    const operator = await signInAs(app, (await makeUser(db(), { roles: [Role.Operator] })).email);
    expect((await statusOf(owner, p.requestId)).status).toBe(200);
    const hitsBefore = cache.stats().hits;
    const refused = await statusOf(outsider, p.requestId);
    expect(refused.status).toBe(404);
    expect(refused.body).not.toHaveProperty('status');
    // The entry was there (a hit), and still refused.
    expect(cache.stats().hits).toBe(hitsBefore + 1);
    expect((await statusOf(operator, p.requestId)).body.status).toBe('queued');
  });

  it('should hold at most maxEntries, dropping the oldest fill first', async () => {
    const [a, b, c] = [await newRequest(), await newRequest(), await newRequest()];
    const { cache } = await instance({ channel: SILENT, maxEntries: 2 });
    for (const p of [a, b, c]) await cache.read(p.requestId);
    expect(cache.stats()).toMatchObject({ entries: 2, misses: 3 });
    await cache.read(c.requestId);
    await cache.read(a.requestId);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 4, entries: 2 });
  });

  it('should not store what a read saw when the request changed while it ran', async () => {
    const p = await newRequest();
    const { cache } = await instance({ channel: SILENT });
    const reading = cache.read(p.requestId);
    // The change lands (and its notification is heard) while the read's query is under way.
    cache.invalidate(p.requestId);
    await workerProgress(p, 90);
    await reading;
    expect(cache.stats().entries).toBe(0);
    expect((await cache.read(p.requestId))?.view.run?.progress).toBe(90);
    expect(cache.stats()).toMatchObject({ hits: 0, misses: 2, entries: 1 });
  });
});
