import { hostKeyFingerprint } from '../../http/host-key-fingerprint';
import {
  adminUserForInstitution,
  approvalState,
  DEFAULT_APPROVAL_POLICY,
  REQUEST_STATUSES,
  Role,
  ZApprovalPolicy,
  type RequestStatus,
  type VpsRequestDto,
} from '@betang/core';
import {
  findLatestRunOfRequest,
  findVpsRequest,
  getSetting,
  getVmByRequest,
  heldAddress,
  heldPublicEndpoint,
  listApprovals,
  listRunSteps,
  loadRequestViewParts,
  putSetting,
  type Executor,
  type VpsRequestRow,
} from '@betang/db';
import { createTestDatabase, makeQueuedProvisionRun, makeUser, type QueuedProvision, type TestDatabase } from '@betang/testkit';
import { sql, type KyselyPlugin } from 'kysely';
import { findRequestWithView, loadRequestView } from './request-view';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * A straightforward multi-query loader, kept here ONLY as the oracle: the
 * one-query loader must produce byte-identical JSON for every request shape below.
 */
async function oracleView(db: Executor, request: VpsRequestRow): Promise<VpsRequestDto> {
  const [approvals, run, vm, lease, policy, institution, endpoint] = await Promise.all([
    listApprovals(db, request.id),
    findLatestRunOfRequest(db, request.id),
    getVmByRequest(db, request.id),
    heldAddress(db, request.id),
    getSetting(db, 'approval_policy', ZApprovalPolicy, DEFAULT_APPROVAL_POLICY),
    db.selectFrom('institutions').select('code').where('id', '=', request.institutionId).executeTakeFirstOrThrow(),
    heldPublicEndpoint(db, request.id),
  ]);
  const steps = run ? await listRunSteps(db, run.id) : [];
  const history = await db
    .selectFrom('provisioningRuns')
    .select(['id', 'kind', 'status', 'attempt', 'progress', 'currentStep', 'errorCode', 'errorMessage', 'errorRetryable'])
    .where('requestId', '=', request.id)
    .orderBy('createdAt')
    .orderBy('id')
    .execute();
  const runs = await Promise.all(
    history.map(async (h) => ({
      id: h.id,
      kind: h.kind as NonNullable<VpsRequestDto['run']>['kind'],
      status: h.status,
      attempt: h.attempt,
      progress: h.progress,
      currentStep: h.currentStep,
      steps: (await listRunSteps(db, h.id)).map((s) => ({
        key: s.key,
        status: s.status as 'pending',
        attempt: s.attempt,
        startedAt: iso(s.startedAt),
        finishedAt: iso(s.finishedAt),
        detail: s.detail,
      })),
      error: h.errorMessage ? { code: h.errorCode, message: h.errorMessage, retryable: h.errorRetryable } : null,
    })),
  );
  const resources = { cores: request.cores, memoryMiB: request.memoryMiB, diskGiB: request.diskGiB };
  const state = ['submitted', 'partially_approved'].includes(request.status)
    ? approvalState(policy, resources, approvals, () => 1)
    : undefined;
  return {
    id: request.id,
    institutionId: request.institutionId,
    status: request.status,
    statusReason: request.statusReason,
    hostname: request.hostname,
    templateId: request.templateId,
    presetId: request.presetId,
    resources,
    applicationId: request.applicationId,
    sshPublicKeys: request.sshPublicKeys,
    purpose: request.purpose,
    network: { publicAccess: request.publicAccess, ports: request.ports },
    contact: request.contact as VpsRequestDto['contact'],
    requestedBy: request.requestedBy,
    approvals: approvals.map((a) => ({
      level: a.level,
      decision: a.decision,
      by: a.decidedBy,
      byName: a.decidedByName,
      role: a.role,
      at: a.decidedAt.toISOString(),
      comment: a.comment,
      runId: null,
    })),
    pendingLevel: state?.kind === 'pending' ? { level: state.level.level, name: state.level.name, roles: state.level.roles } : null,
    ipAddress: lease?.address ?? null,
    adminUser: adminUserForInstitution(institution.code),
    run: run
      ? {
          id: run.id,
          kind: run.kind as NonNullable<VpsRequestDto['run']>['kind'],
          status: run.status,
          attempt: run.attempt,
          progress: run.progress,
          currentStep: run.currentStep,
          steps: steps.map((s) => ({
            key: s.key,
            status: s.status as 'pending',
            attempt: s.attempt,
            startedAt: iso(s.startedAt),
            finishedAt: iso(s.finishedAt),
            detail: s.detail,
          })),
          error: run.errorMessage ? { code: run.errorCode, message: run.errorMessage, retryable: run.errorRetryable } : null,
        }
      : null,
    runs,
    vm: vm
      ? {
          id: vm.id,
          node: vm.node,
          vmid: vm.vmid,
          ipAddress: lease?.address ?? null,
          state: vm.state,
          hostKeyFingerprint: vm.hostKey === null ? null : hostKeyFingerprint(vm.hostKey),
          publicEndpoint: endpoint
            ? {
                mechanism: endpoint.mechanism,
                publicAddress: endpoint.publicAddress,
                ports: endpoint.ports,
                openPorts: endpoint.openPorts,
                probedAt: iso(endpoint.probedAt),
              }
            : null,
        }
      : null,
    createdAt: request.createdAt.toISOString(),
    updatedAt: request.updatedAt.toISOString(),
  };
}

describe('loadRequestView (one query) against the former multi-query loader', () => {
  let t: TestDatabase;
  let base: QueuedProvision;
  let operatorId: string;
  let dcHeadId: string;
  let n = 0;
  const ids: string[] = [];

  /** A request of the base institution in `status`, cloned from the base request's fields. */
  async function newRequest(status: RequestStatus, cores = 2): Promise<string> {
    const { rows } = await sql<{ id: string }>`
      INSERT INTO vps_requests (institution_id, application_id, requested_by, hostname, template_id, cores, memory_mib, disk_gib,
                                ssh_public_keys, purpose, public_access, ports, contact, status, status_reason)
      SELECT institution_id, application_id, requested_by, ${`view-${(n += 1)}`}, template_id, ${cores}, memory_mib, disk_gib,
             ssh_public_keys, purpose, public_access, ports, contact, ${status}, ${status === 'rejected' ? 'Kuota penuh / quota full' : null}
      FROM vps_requests WHERE id = ${base.requestId}::uuid RETURNING id`.execute(t.db);
    ids.push(rows[0]!.id);
    return rows[0]!.id;
  }
  const approve = (
    requestId: string,
    level: number,
    decidedBy: string | null,
    decidedAt: string,
    decision = 'approved',
    comment: string | null = null,
  ) =>
    sql`INSERT INTO approvals (request_id, level, decision, decided_by, role, comment, decided_at)
        VALUES (${requestId}::uuid, ${level}, ${decision}, ${decidedBy}::uuid, ${level === 1 ? 'operator' : 'dc_head'}, ${comment}, ${decidedAt}::timestamptz)`.execute(
      t.db,
    );
  const run = async (
    requestId: string,
    o: { status: string; kind?: string; createdAt: string; error?: [string, string, boolean]; current?: string },
  ) => {
    const { rows } = await sql<{ id: string }>`
      INSERT INTO provisioning_runs (request_id, kind, status, attempt, progress, current_step, error_code, error_message, error_retryable, created_at)
      VALUES (${requestId}::uuid, ${o.kind ?? 'provision'}, ${o.status}, 1, 40, ${o.current ?? null}, ${o.error?.[0] ?? null}, ${o.error?.[1] ?? null},
              ${o.error?.[2] ?? null}, ${o.createdAt}::timestamptz) RETURNING id`.execute(t.db);
    return rows[0]!.id;
  };
  const step = (
    runId: string,
    key: string,
    position: number,
    status: string,
    startedAt: string | null,
    finishedAt: string | null,
    detail: string | null = null,
  ) =>
    sql`INSERT INTO run_steps (run_id, key, position, status, attempt, started_at, finished_at, detail)
        VALUES (${runId}::uuid, ${key}, ${position}, ${status}, 1, ${startedAt}::timestamptz, ${finishedAt}::timestamptz, ${detail})`.execute(
      t.db,
    );
  const vm = (requestId: string, state: string, vmid: number | null, node: string | null) =>
    sql`INSERT INTO vms (request_id, institution_id, name, cores, memory_mib, disk_gib, state, vmid, node)
        SELECT id, institution_id, hostname, cores, memory_mib, disk_gib, ${state}, ${vmid}, ${node} FROM vps_requests WHERE id = ${requestId}::uuid`.execute(
      t.db,
    );
  const lease = (requestId: string, octetSuffix: number, released: boolean) =>
    sql`INSERT INTO ip_allocations (pool_id, address, request_id, released_at, release_reason)
        VALUES (${base.poolId}::uuid, ${`10.77.0.${octetSuffix}`}::inet, ${requestId}::uuid, ${released ? new Date('2026-11-01T00:00:00Z') : null},
                ${released ? 'decommissioned' : null})`.execute(t.db);

  async function expectSameViews(db: Executor = t.db): Promise<void> {
    const rows = await Promise.all(ids.map(async (id) => (await findVpsRequest(db, id))!));
    for (const row of rows) {
      const expected = JSON.stringify(await oracleView(db, row));
      expect(JSON.stringify(await loadRequestView(db, row))).toBe(expected);
      // The status read's one-query path: the same row (every column, same types) and the same view.
      const found = await findRequestWithView(db, row.id);
      expect(found?.request).toEqual(row);
      expect(JSON.stringify(found?.view)).toBe(expected);
    }
    // Asked for in one tick (one batched query): same views, each to its own caller (reversed order on purpose).
    const reversed = [...rows].reverse();
    const batch = await Promise.all(reversed.map((r) => loadRequestView(db, r)));
    expect(batch.map((v) => JSON.stringify(v))).toEqual(
      await Promise.all(reversed.map(async (r) => JSON.stringify(await oracleView(db, r)))),
    );
  }

  beforeAll(async () => {
    t = await createTestDatabase();
    base = await makeQueuedProvisionRun(t.db, { poolOctet: 77 });
    ids.push(base.requestId);
    operatorId = (await makeUser(t.db, { roles: [Role.Operator], name: 'Operator Satu' })).id;
    dcHeadId = (await makeUser(t.db, { roles: [Role.DcHead], name: 'Kepala Pusat Data' })).id;

    // Every status, bare: no approvals, run, VM or address.
    for (const status of REQUEST_STATUSES) await newRequest(status);

    // Awaiting decisions: a large request at level 1, and one partially approved at level 2.
    await newRequest('submitted', 8);
    const partial = await newRequest('partially_approved', 8);
    await approve(partial, 1, operatorId, '2026-11-20 08:00:00.123456+00', 'approved', 'Tinjauan selesai');

    // Rejected with two decisions, one of them by a decider that is no longer known (null).
    const rejected = await newRequest('rejected', 8);
    await approve(rejected, 1, null, '2026-11-20 09:00:00.000001+00', 'approved');
    await approve(rejected, 2, dcHeadId, '2026-11-20 09:30:00.999999+00', 'rejected', 'Anggaran belum tersedia');

    // Provisioning: held address, run with steps in every state and sub-millisecond timestamps.
    const provisioning = await newRequest('provisioning');
    await approve(provisioning, 1, operatorId, '2026-11-21 10:00:00+00');
    await lease(provisioning, 11, false);
    const provisioningRun = await run(provisioning, { status: 'running', createdAt: '2026-11-21 10:00:01.5+00', current: 'clone' });
    await step(provisioningRun, 'reserve_vmid', 0, 'done', '2026-11-21 10:00:02.0004+00', '2026-11-21 10:00:02.9996+00', 'vmid 120');
    await step(provisioningRun, 'clone', 1, 'running', '2026-11-21 10:00:03.123999+00', null, 'Menyalin templat / cloning template');
    await step(provisioningRun, 'configure', 2, 'pending', null, null);

    // Active: VM and address; two runs, the later one (a start action) is the one shown.
    const active = await newRequest('active');
    await approve(active, 1, operatorId, '2026-11-22 07:00:00+00');
    await lease(active, 12, false);
    await vm(active, 'running', 123, 'pve1');
    const older = await run(active, { status: 'succeeded', createdAt: '2026-11-22 07:00:01+00' });
    await step(older, 'clone', 0, 'done', '2026-11-22 07:00:02+00', '2026-11-22 07:00:30+00');
    await run(active, { status: 'queued', kind: 'start', createdAt: '2026-11-22 08:00:00+00' });
    // Reachable from the internet: a held, probed public endpoint (and a released one before it, not shown).
    const activeVm = await t.db.selectFrom('vms').select('id').where('requestId', '=', active).executeTakeFirstOrThrow();
    await t.db
      .insertInto('publicEndpoints')
      .values([
        {
          requestId: active,
          vmId: activeVm.id,
          mechanism: 'nat',
          publicAddress: '203.0.113.9',
          privateAddress: '10.77.0.12',
          ports: [80],
          releasedAt: new Date('2026-11-22T07:30:00Z'),
          releaseReason: 'test',
        },
        {
          requestId: active,
          vmId: activeVm.id,
          mechanism: 'nat',
          publicAddress: '203.0.113.10',
          privateAddress: '10.77.0.12',
          ports: [80, 443],
          openPorts: [443],
          probedAt: new Date('2026-11-22T07:45:00.123Z'),
        },
      ])
      .execute();

    // Two runs created at the same instant: the tie is broken by id (descending), as before.
    const tie = await newRequest('stopped');
    await vm(tie, 'stopped', 124, 'pve2');
    await run(tie, { status: 'succeeded', kind: 'stop', createdAt: '2026-11-23 07:00:00+00' });
    await run(tie, { status: 'succeeded', kind: 'shutdown', createdAt: '2026-11-23 07:00:00+00' });

    // Failed with a retryable error; VM reserved without vmid/node yet.
    const failed = await newRequest('failed');
    await lease(failed, 13, false);
    await vm(failed, 'reserved', null, null);
    await run(failed, {
      status: 'failed',
      createdAt: '2026-11-24 07:00:00+00',
      error: ['pve_unreachable', 'Proxmox tidak dapat dihubungi / Proxmox unreachable', true],
    });

    // Decommissioned: the address was released (no address shown), the VM is gone.
    const gone = await newRequest('decommissioned');
    await lease(gone, 14, true);
    await vm(gone, 'decommissioned', 125, 'pve1');
    await run(gone, { status: 'succeeded', kind: 'decommission', createdAt: '2026-11-25 07:00:00+00' });
  });
  afterAll(() => t.drop());

  it('should produce byte-identical views for every status and shape with the default approval policy', async () => {
    await expectSameViews();
  });

  it('should produce byte-identical views with a stored approval policy (pending levels follow it)', async () => {
    const policy = ZApprovalPolicy.parse({
      levels: [
        { level: 1, name: { id: 'Tinjauan operator', en: 'Operator review' }, roles: ['operator'], mode: 'any' },
        { level: 2, name: { id: 'Verifikasi admin', en: 'Admin check' }, roles: ['admin'], mode: 'any' },
        {
          level: 3,
          name: { id: 'Kepala', en: 'Head' },
          roles: ['dc_head'],
          mode: 'any',
          appliesFrom: { cores: 4, memoryMiB: 8192, diskGiB: 100 },
        },
      ],
      autoApproveUpTo: null,
    });
    await putSetting(t.db, 'approval_policy', policy, null);
    try {
      await expectSameViews();
      const rows = await Promise.all(ids.map(async (id) => (await findVpsRequest(t.db, id))!));
      const partial = (await Promise.all(rows.map((r) => loadRequestView(t.db, r)))).filter(
        (v) => v.status === 'partially_approved' && v.approvals.length === 1,
      );
      expect(partial[0]!.pendingLevel).toMatchObject({ level: 2, roles: ['admin'] });
    } finally {
      await t.db.deleteFrom('settings').where('key', '=', 'approval_policy').execute();
    }
  });

  it('should give the same views inside a read-only REPEATABLE READ snapshot (the SSE snapshot path)', async () => {
    await t.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .setAccessMode('read only')
      .execute((tx) => expectSameViews(tx));
  });

  it('should refuse a stored approval policy that is not valid instead of guessing', async () => {
    await sql`INSERT INTO settings (key, value) VALUES ('approval_policy', ${JSON.stringify({ levels: 'semua' })}::jsonb)`.execute(t.db);
    try {
      // ids[1] and ids[2] are the bare `draft` and `submitted` requests (REQUEST_STATUSES order).
      const awaiting = (await findVpsRequest(t.db, ids[2]!))!;
      expect(awaiting.status).toBe('submitted');
      await expect(loadRequestView(t.db, awaiting)).rejects.toThrow();
      // A request no longer awaiting a decision does not read the policy at all.
      const draft = (await findVpsRequest(t.db, ids[1]!))!;
      expect(draft.status).toBe('draft');
      await expect(loadRequestView(t.db, draft)).resolves.toMatchObject({ pendingLevel: null });
      // In one batch (same tick), the failing view does not take the other one down.
      const [bad, good] = await Promise.allSettled([loadRequestView(t.db, awaiting), loadRequestView(t.db, draft)]);
      expect(bad.status).toBe('rejected');
      expect(good).toMatchObject({ status: 'fulfilled', value: { id: draft.id, pendingLevel: null } });
    } finally {
      await t.db.deleteFrom('settings').where('key', '=', 'approval_policy').execute();
    }
  });

  it('should answer views requested in the same tick (a page mapped with Promise.all) with one query', async () => {
    let queries = 0;
    const counting: KyselyPlugin = {
      transformQuery: (args) => {
        queries += 1;
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    const db = t.db.withPlugin(counting);
    const rows = await Promise.all(ids.map(async (id) => (await findVpsRequest(t.db, id))!));
    const page = [...rows, rows[0]!]; // a duplicate too
    const views = await Promise.all(page.map((r) => loadRequestView(db, r)));
    expect(queries).toBe(1);
    expect(views.map((v) => v.id)).toEqual(page.map((r) => r.id));
    expect(JSON.stringify(views[3])).toBe(JSON.stringify(await oracleView(t.db, page[3]!)));
    // The next tick starts a new batch.
    await loadRequestView(db, rows[1]!);
    expect(queries).toBe(2);
  });

  it('should not read the run history at all for a list without runs (runs=none), and leave `runs` out', async () => {
    const texts: string[] = [];
    const recording: KyselyPlugin = {
      transformQuery: (args) => {
        texts.push(JSON.stringify(args.node));
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    const db = t.db.withPlugin(recording);
    const rows = await Promise.all(ids.map(async (id) => (await findVpsRequest(t.db, id))!));
    const lean = await Promise.all(rows.map((r) => loadRequestView(db, r, { history: false })));
    expect(texts).toHaveLength(1);
    expect(texts[0]).not.toMatch(/FROM provisioning_runs h/);
    for (const [i, view] of lean.entries()) {
      expect(view).not.toHaveProperty('runs');
      const { runs: _history, ...expected } = await oracleView(t.db, rows[i]!);
      expect(JSON.stringify(view)).toBe(JSON.stringify(expected));
    }
    // Both kinds asked for in one tick: each gets what it asked for, one query per kind.
    const withRuns = rows[lean.findIndex((v) => v.run !== null)]!;
    texts.length = 0;
    const [full, bare] = await Promise.all([loadRequestView(db, withRuns), loadRequestView(db, withRuns, { history: false })]);
    expect(texts).toHaveLength(2);
    expect(texts.filter((q) => q.includes('FROM provisioning_runs h'))).toHaveLength(1);
    expect(full!.runs!.length).toBeGreaterThan(0);
    expect(bare).not.toHaveProperty('runs');
  });

  it('should read nothing for no ids and skip ids that match no request', async () => {
    expect((await loadRequestViewParts(t.db, [])).size).toBe(0);
    const parts = await loadRequestViewParts(t.db, ['00000000-0000-4000-8000-000000000000', base.requestId]);
    expect([...parts.keys()]).toEqual([base.requestId]);
    expect(await findRequestWithView(t.db, '00000000-0000-4000-8000-000000000000')).toBeUndefined();
    await expect(loadRequestViewParts(t.db, ["x'; DROP TABLE vps_requests; --"])).rejects.toThrow(/uuid/);
    expect(await findVpsRequest(t.db, base.requestId)).toBeDefined();
  });
});
