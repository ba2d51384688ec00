import type { RequestStatus, RunKind, RunStatus, VmState } from '@betang/core';
import { sql } from 'kysely';
import pg from 'pg';
import type { Executor, Tx } from '../database';
import { preparedQuery } from './prepared-query';
import type { RunRow } from './run.repository';

export type VpsRequestRow = {
  id: string;
  institutionId: string;
  applicationId: string;
  requestedBy: string;
  hostname: string;
  /** Null for an adopted VM (not built from a catalog template). */
  templateId: string | null;
  presetId: string | null;
  cores: number;
  memoryMiB: number;
  diskGiB: number;
  sshPublicKeys: string[];
  purpose: string;
  publicAccess: boolean;
  ports: number[];
  contact: unknown;
  status: RequestStatus;
  statusReason: string | null;
  createdAt: Date;
  updatedAt: Date;
};

const COLUMNS = [
  'id',
  'institutionId',
  'applicationId',
  'requestedBy',
  'hostname',
  'templateId',
  'presetId',
  'cores',
  'memoryMiB',
  'diskGiB',
  'sshPublicKeys',
  'purpose',
  'publicAccess',
  'ports',
  'contact',
  'status',
  'statusReason',
  'createdAt',
  'updatedAt',
] as const;

type NewVpsRequest = Omit<VpsRequestRow, 'id' | 'createdAt' | 'updatedAt' | 'statusReason' | 'status'> & {
  status: RequestStatus;
  /** A restore into a new VM: the backup its provisioning restores instead of cloning the template. */
  restoreFromBackupId?: string;
};

/** Inserts a request; the live-hostname uniqueness per institution is enforced by the database. */
export async function insertVpsRequest(tx: Tx, values: NewVpsRequest): Promise<VpsRequestRow> {
  const row = await tx
    .insertInto('vpsRequests')
    .values({ ...values, contact: JSON.stringify(values.contact) })
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
  return row as VpsRequestRow;
}

/** One request by id. */
export async function findVpsRequest(db: Executor, id: string): Promise<VpsRequestRow | undefined> {
  const [row] = await vpsRequestById(db, id);
  return row as VpsRequestRow | undefined;
}

// On every status read: compiled once per executor (see preparedQuery).
const vpsRequestById = preparedQuery(1, (db: Executor, id: string) => db.selectFrom('vpsRequests').select(COLUMNS).where('id', '=', id));

/** Locks one request row for the rest of the transaction (decisions serialise per request). */
export async function lockVpsRequest(tx: Tx, id: string): Promise<VpsRequestRow | undefined> {
  return (await tx.selectFrom('vpsRequests').select(COLUMNS).where('id', '=', id).forUpdate().executeTakeFirst()) as
    VpsRequestRow | undefined;
}

/** Every request awaiting a decision (submitted, partially approved), oldest first, locked for this transaction. */
export async function lockRequestsAwaitingDecision(tx: Tx): Promise<VpsRequestRow[]> {
  return (await tx
    .selectFrom('vpsRequests')
    .select(COLUMNS)
    .where('status', 'in', ['submitted', 'partially_approved'])
    .orderBy('createdAt')
    .orderBy('id')
    .forUpdate()
    .execute()) as VpsRequestRow[];
}

/** Requests newest first (or oldest first), optionally filtered, keyset-paged by (created_at, id). */
export async function listVpsRequests(
  db: Executor,
  filter: {
    institutionId?: string;
    status?: RequestStatus;
    statuses?: readonly RequestStatus[];
    /** ILIKE patterns (see likePattern in @betang/core): the host name; the held address; host name, purpose or application name. */
    hostnameLike?: string;
    addressLike?: string;
    textLike?: string;
    /** Submitted at or after `since`, before `before`. */
    since?: Date;
    before?: Date;
    limit: number;
    after?: { createdAt: string; id: string };
    oldestFirst?: boolean;
  },
): Promise<VpsRequestRow[]> {
  const dir = filter.oldestFirst ? 'asc' : 'desc';
  let q = db.selectFrom('vpsRequests').select(COLUMNS).orderBy('createdAt', dir).orderBy('id', dir).limit(filter.limit);
  if (filter.institutionId) q = q.where('institutionId', '=', filter.institutionId);
  if (filter.status) q = q.where('status', '=', filter.status);
  if (filter.statuses) q = q.where('status', 'in', [...filter.statuses]);
  if (filter.since) q = q.where('createdAt', '>=', filter.since);
  if (filter.before) q = q.where('createdAt', '<', filter.before);
  const { hostnameLike, addressLike, textLike } = filter;
  if (hostnameLike) q = q.where('hostname', 'ilike', hostnameLike);
  if (addressLike)
    q = q.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('ipAllocations as a')
          .select(sql.lit(1).as('one'))
          .whereRef('a.requestId', '=', 'vpsRequests.id')
          .where('a.releasedAt', 'is', null)
          .where(sql<string>`host(a.address)`, 'ilike', addressLike),
      ),
    );
  if (textLike)
    q = q.where((eb) =>
      eb.or([
        eb('hostname', 'ilike', textLike),
        eb('purpose', 'ilike', textLike),
        // Uncorrelated: the matching applications are read once (a hashed subplan), not per request.
        eb('applicationId', 'in', eb.selectFrom('applications as app').select('app.id').where('app.name', 'ilike', textLike)),
      ]),
    );
  if (filter.after) {
    const { createdAt, id } = filter.after;
    const cmp = filter.oldestFirst ? '>' : '<';
    q = q.where((eb) =>
      eb.or([eb('createdAt', cmp, new Date(createdAt)), eb.and([eb('createdAt', '=', new Date(createdAt)), eb('id', cmp, id)])]),
    );
  }
  return (await q.execute()) as VpsRequestRow[];
}

/** True when another live request of the institution already uses the hostname. */
export async function isHostnameTaken(db: Executor, institutionId: string, hostname: string): Promise<boolean> {
  const row = await db
    .selectFrom('vpsRequests')
    .select('id')
    .where('institutionId', '=', institutionId)
    .where('hostname', '=', hostname)
    .where('status', 'not in', ['decommissioned', 'rejected', 'cancelled', 'failed'])
    .executeTakeFirst();
  return row !== undefined;
}

/** The most recent run of a request (any kind), or undefined. */
export async function findLatestRunOfRequest(db: Executor, requestId: string) {
  return db
    .selectFrom('provisioningRuns')
    .select([
      'id',
      'kind',
      'status',
      'attempt',
      'progress',
      'currentStep',
      'errorCode',
      'errorMessage',
      'errorRetryable',
      'createdAt',
      'startedAt',
      'finishedAt',
    ])
    .where('requestId', '=', requestId)
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** One decision on a request as the request view shows it (who decided, by name). */
type RequestViewApproval = {
  level: number;
  decision: 'approved' | 'rejected';
  decidedBy: string | null;
  decidedByName: string | null;
  role: string;
  comment: string | null;
  decidedAt: Date;
  /** The pending change (resize run) this decision is about; null for a decision on the request itself. */
  runId: string | null;
};

/** One step of the request's latest run as the request view shows it. */
type RequestViewStep = {
  key: string;
  status: string;
  attempt: number;
  startedAt: Date | null;
  finishedAt: Date | null;
  detail: string | null;
};

/** One run of the request's history (see RequestViewParts.runs). */
export type RequestViewRun = Pick<
  RunRow,
  'id' | 'kind' | 'status' | 'attempt' | 'progress' | 'currentStep' | 'errorCode' | 'errorMessage' | 'errorRetryable'
> & { steps: RequestViewStep[] };

/** Everything besides the request row that the request view needs, read by {@link loadRequestViewParts}. */
export type RequestViewParts = {
  institutionCode: string;
  /** Decisions ordered by time (ties by id, so the order is stable). */
  approvals: RequestViewApproval[];
  /** The latest run (by created_at, then id) or null. */
  run: Pick<
    RunRow,
    'id' | 'kind' | 'status' | 'attempt' | 'progress' | 'currentStep' | 'errorCode' | 'errorMessage' | 'errorRetryable'
  > | null;
  /** The latest run's steps by position ([] without a run). */
  steps: RequestViewStep[];
  vm: { id: string; node: string | null; vmid: number | null; state: VmState; hostKey: string | null } | null;
  /** Every run of the request (provisioning, each day-2 run, cancelled ones), oldest first, each with its steps by position. */
  runs: RequestViewRun[];
  /** The address currently held (unreleased allocation), or null. */
  ipAddress: string | null;
  /** The held public endpoint (internet access), or null. */
  publicEndpoint: { publicAddress: string; ports: number[]; openPorts: number[] | null; probedAt: Date | null } | null;
  /** The request's pending change (its run awaiting approval; at most one), or null. */
  pendingChangeRunId: string | null;
  /**
   * The stored `approval_policy` setting value (unvalidated JSON) when the request is
   * `submitted` or `partially_approved` or has a pending change, and the
   * setting exists; null otherwise (the caller
   * falls back to the default policy, as getSetting does).
   */
  approvalPolicy: unknown;
  /** The request row itself, as findVpsRequest returns it (read in the same query and snapshot). */
  request: VpsRequestRow;
};

type RawStep = Omit<RequestViewStep, 'startedAt' | 'finishedAt'> & { startedAt: string | null; finishedAt: string | null };
type RawViewParts = Omit<RequestViewParts, 'approvals' | 'run' | 'steps' | 'vm' | 'request' | 'runs' | 'publicEndpoint'> &
  VpsRequestRow & {
    requestId: string;
    approvals: (Omit<RequestViewApproval, 'decidedAt'> & { decidedAt: string })[];
    steps: RawStep[];
    runs: (Omit<RequestViewRun, 'steps'> & { steps: RawStep[] })[];
    runId: string | null;
    runKind: RunKind;
    runStatus: RunStatus;
    runAttempt: number;
    runProgress: number;
    runCurrentStep: string | null;
    runErrorCode: string | null;
    runErrorMessage: string | null;
    runErrorRetryable: boolean | null;
    vmId: string | null;
    vmNode: string | null;
    vmVmid: number | null;
    vmState: VmState;
    vmHostKey: string | null;
    publicAddress: string | null;
    publicPorts: number[] | null;
    publicOpenPorts: number[] | null;
    publicProbedAt: Date | null;
  };

// Timestamps inside json_agg travel as PostgreSQL's own text form (`ts::text`, the same text the
// wire carries for a timestamptz column) and are parsed by pg's registered timestamptz parser,
// so they become exactly the Date a plain column read would have produced.
const parseTimestamptz = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ) as (text: string) => Date;
const toDate = (text: string | null): Date | null => (text === null ? null : parseTimestamptz(text));
const stepOf = (s: RawStep): RequestViewStep => ({ ...s, startedAt: toDate(s.startedAt), finishedAt: toDate(s.finishedAt) });

/** Every run of the request with its steps, oldest first: the `runs` column of the view query. */
const RUN_HISTORY = sql`
      COALESCE((
        SELECT json_agg(json_build_object(
                 'id', h.id, 'kind', h.kind, 'status', h.status, 'attempt', h.attempt, 'progress', h.progress,
                 'currentStep', h.current_step, 'errorCode', h.error_code, 'errorMessage', h.error_message,
                 'errorRetryable', h.error_retryable,
                 'steps', COALESCE((
                   SELECT json_agg(json_build_object(
                            'key', s.key, 'status', s.status, 'attempt', s.attempt, 'startedAt', s.started_at::text,
                            'finishedAt', s.finished_at::text, 'detail', s.detail)
                          ORDER BY s.position)
                   FROM run_steps s
                   WHERE s.run_id = h.id), '[]'::json))
               ORDER BY h.created_at, h.id)
        FROM provisioning_runs h
        WHERE h.request_id = r.id), '[]'::json)`;

/**
 * Reads, for each request id, the request row and everything its API view needs — approvals
 * with decider names, the latest run with its steps, the VM, the held address and public endpoint, the institution
 * code and (only for requests awaiting a decision) the approval-policy setting — in ONE query.
 * Guarantees: the values equal what listApprovals, findLatestRunOfRequest, listRunSteps,
 * getVmByRequest, heldAddress and the institution lookup return; ids that match no request are
 * absent from the map. Runs on a transaction too, so a REPEATABLE READ caller gets one snapshot.
 * With `history: false` the query does not read the run history at all and `runs` is empty (a
 * list page needs the latest run only).
 */
export async function loadRequestViewParts(
  db: Executor,
  requestIds: readonly string[],
  options: { history?: boolean } = {},
): Promise<Map<string, RequestViewParts>> {
  const parts = new Map<string, RequestViewParts>();
  if (requestIds.length === 0) return parts;
  // Without the history the subquery is not written at all, so PostgreSQL reads no run but the latest.
  const history = options.history === false ? sql`'[]'::json` : RUN_HISTORY;
  const { rows } = await sql<RawViewParts>`
    SELECT
      r.id AS request_id,
      r.id, r.institution_id, r.application_id, r.requested_by, r.hostname, r.template_id, r.preset_id, r.cores,
      r.memory_mib, r.disk_gib, r.ssh_public_keys, r.purpose, r.public_access, r.ports, r.contact, r.status,
      r.status_reason, r.created_at, r.updated_at,
      i.code AS institution_code,
      COALESCE((
        SELECT json_agg(json_build_object(
                 'level', a.level, 'decision', a.decision, 'decidedBy', a.decided_by, 'decidedByName', u.name,
                 'role', a.role, 'comment', a.comment, 'decidedAt', a.decided_at::text, 'runId', a.run_id)
               ORDER BY a.decided_at, a.id)
        FROM approvals a LEFT JOIN users u ON u.id = a.decided_by
        WHERE a.request_id = r.id), '[]'::json) AS approvals,
      run.id AS run_id, run.kind AS run_kind, run.status AS run_status, run.attempt AS run_attempt,
      run.progress AS run_progress, run.current_step AS run_current_step, run.error_code AS run_error_code,
      run.error_message AS run_error_message, run.error_retryable AS run_error_retryable,
      COALESCE((
        SELECT json_agg(json_build_object(
                 'key', s.key, 'status', s.status, 'attempt', s.attempt, 'startedAt', s.started_at::text,
                 'finishedAt', s.finished_at::text, 'detail', s.detail)
               ORDER BY s.position)
        FROM run_steps s
        WHERE s.run_id = run.id), '[]'::json) AS steps,
      ${history} AS runs,
      vm.id AS vm_id, vm.node AS vm_node, vm.vmid AS vm_vmid, vm.state AS vm_state, vm.host_key AS vm_host_key,
      host(lease.address) AS ip_address,
      host(pe.public_address) AS public_address, pe.ports AS public_ports, pe.open_ports AS public_open_ports,
      pe.probed_at AS public_probed_at,
      change.id AS pending_change_run_id,
      CASE WHEN r.status IN ('submitted', 'partially_approved') OR change.id IS NOT NULL
           THEN (SELECT st.value FROM settings st WHERE st.key = 'approval_policy') END AS approval_policy
    FROM vps_requests r
    JOIN institutions i ON i.id = r.institution_id
    LEFT JOIN LATERAL (
      SELECT pr.id, pr.kind, pr.status, pr.attempt, pr.progress, pr.current_step, pr.error_code, pr.error_message, pr.error_retryable
      FROM provisioning_runs pr
      WHERE pr.request_id = r.id
      ORDER BY pr.created_at DESC, pr.id DESC
      LIMIT 1
    ) run ON true
    LEFT JOIN provisioning_runs change ON change.request_id = r.id AND change.status = 'awaiting_approval'
    LEFT JOIN vms vm ON vm.request_id = r.id
    LEFT JOIN ip_allocations lease ON lease.request_id = r.id AND lease.released_at IS NULL AND lease.is_primary
    LEFT JOIN public_endpoints pe ON pe.request_id = r.id AND pe.released_at IS NULL
    WHERE r.id = ANY(${[...requestIds]}::uuid[])
  `.execute(db);
  for (const row of rows) {
    parts.set(row.requestId, {
      institutionCode: row.institutionCode,
      approvals: row.approvals.map((a) => ({ ...a, decidedAt: parseTimestamptz(a.decidedAt) })),
      run:
        row.runId === null
          ? null
          : {
              id: row.runId,
              kind: row.runKind,
              status: row.runStatus,
              attempt: row.runAttempt,
              progress: row.runProgress,
              currentStep: row.runCurrentStep,
              errorCode: row.runErrorCode,
              errorMessage: row.runErrorMessage,
              errorRetryable: row.runErrorRetryable,
            },
      steps: row.steps.map(stepOf),
      runs: row.runs.map((r) => ({ ...r, steps: r.steps.map(stepOf) })),
      vm: row.vmId === null ? null : { id: row.vmId, node: row.vmNode, vmid: row.vmVmid, state: row.vmState, hostKey: row.vmHostKey },
      ipAddress: row.ipAddress,
      publicEndpoint:
        row.publicAddress === null
          ? null
          : {
              publicAddress: row.publicAddress,
              ports: row.publicPorts ?? [],
              openPorts: row.publicOpenPorts,
              probedAt: row.publicProbedAt,
            },
      pendingChangeRunId: row.pendingChangeRunId,
      approvalPolicy: row.approvalPolicy,
      request: Object.fromEntries(COLUMNS.map((column) => [column, row[column]])) as VpsRequestRow,
    });
  }
  return parts;
}
