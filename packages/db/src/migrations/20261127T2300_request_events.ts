import { sql, type Kysely } from 'kysely';

// Untyped on purpose: migrations describe history and never import application code.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * Live status of VPS requests (docs/live-status.md): every change that a person watching a
 * request cares about becomes a row of `request_events`, written by triggers so neither the API
 * nor the worker needs code to emit it and nothing can change without an event.
 *
 * The triggers are DEFERRED constraint triggers: they run at COMMIT, take one transaction-scoped
 * advisory lock and only then draw ids. The lock is held until the commit finishes, so event ids
 * become visible strictly in id order — a reader that remembers "last id seen" can never skip an
 * event whose transaction committed late (a plain identity column gives no such guarantee).
 * WHEN clauses keep no-op updates (heartbeats, updated_at touches) from even being queued.
 */
export async function up(db: AnyDb): Promise<void> {
  await sql`
    CREATE TABLE request_events (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      request_id uuid NOT NULL REFERENCES vps_requests(id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('request.status', 'approval', 'run', 'run.step', 'vm', 'address')),
      data jsonb NOT NULL,
      at timestamptz NOT NULL DEFAULT clock_timestamp()
    );
    CREATE INDEX request_events_request_idx ON request_events (request_id, id);

    CREATE FUNCTION betang_emit_request_event(p_request uuid, p_kind text, p_data jsonb) RETURNS void
    LANGUAGE plpgsql AS $$
    BEGIN
      -- A request created and deleted in the same transaction has nobody to tell.
      IF NOT EXISTS (SELECT 1 FROM vps_requests WHERE id = p_request) THEN RETURN; END IF;
      -- Same key scheme as packages/db advisory-lock.ts: lockForTransaction('betang_request_events').
      PERFORM pg_advisory_xact_lock(('x' || substr(md5('betang_request_events'), 1, 16))::bit(64)::bigint);
      INSERT INTO request_events (request_id, kind, data) VALUES (p_request, p_kind, p_data);
      PERFORM pg_notify('betang_request_events', p_request::text);
    END $$;

    CREATE FUNCTION betang_request_event_of_request() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM betang_emit_request_event(NEW.id, 'request.status', jsonb_build_object(
        'status', NEW.status,
        'previousStatus', CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END,
        'statusReason', NEW.status_reason));
      RETURN NULL;
    END $$;

    CREATE FUNCTION betang_request_event_of_approval() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM betang_emit_request_event(NEW.request_id, 'approval', jsonb_build_object(
        'approvalId', NEW.id,
        'level', NEW.level,
        'decision', NEW.decision,
        'by', NEW.decided_by,
        'byName', (SELECT name FROM users WHERE id = NEW.decided_by),
        'role', NEW.role,
        'comment', NEW.comment,
        'at', NEW.decided_at));
      RETURN NULL;
    END $$;

    CREATE FUNCTION betang_request_event_of_run() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM betang_emit_request_event(NEW.request_id, 'run', jsonb_build_object(
        'runId', NEW.id,
        'kind', NEW.kind,
        'status', NEW.status,
        'attempt', NEW.attempt,
        'progress', NEW.progress,
        'currentStep', NEW.current_step,
        'error', CASE WHEN NEW.error_message IS NULL THEN NULL ELSE jsonb_build_object(
          'code', NEW.error_code, 'message', NEW.error_message, 'retryable', NEW.error_retryable) END));
      RETURN NULL;
    END $$;

    CREATE FUNCTION betang_request_event_of_run_step() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM betang_emit_request_event((SELECT request_id FROM provisioning_runs WHERE id = NEW.run_id), 'run.step', jsonb_build_object(
        'runId', NEW.run_id,
        'key', NEW.key,
        'position', NEW.position,
        'status', NEW.status,
        'attempt', NEW.attempt,
        'startedAt', NEW.started_at,
        'finishedAt', NEW.finished_at,
        'detail', NEW.detail));
      RETURN NULL;
    END $$;

    CREATE FUNCTION betang_request_event_of_vm() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM betang_emit_request_event(NEW.request_id, 'vm', jsonb_build_object(
        'vmId', NEW.id,
        'state', NEW.state,
        'node', NEW.node,
        'vmid', NEW.vmid,
        'name', NEW.name));
      RETURN NULL;
    END $$;

    CREATE FUNCTION betang_request_event_of_address() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM betang_emit_request_event(NEW.request_id, 'address', jsonb_build_object(
        'allocationId', NEW.id,
        'address', host(NEW.address),
        'held', NEW.released_at IS NULL,
        'vmId', NEW.vm_id,
        'releaseReason', NEW.release_reason));
      RETURN NULL;
    END $$;

    CREATE CONSTRAINT TRIGGER vps_requests_event_insert AFTER INSERT ON vps_requests
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION betang_request_event_of_request();
    CREATE CONSTRAINT TRIGGER vps_requests_event_update AFTER UPDATE ON vps_requests
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
      WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.status_reason IS DISTINCT FROM NEW.status_reason)
      EXECUTE FUNCTION betang_request_event_of_request();

    CREATE CONSTRAINT TRIGGER approvals_event_insert AFTER INSERT ON approvals
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION betang_request_event_of_approval();

    CREATE CONSTRAINT TRIGGER provisioning_runs_event_insert AFTER INSERT ON provisioning_runs
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION betang_request_event_of_run();
    CREATE CONSTRAINT TRIGGER provisioning_runs_event_update AFTER UPDATE ON provisioning_runs
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
      WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.progress IS DISTINCT FROM NEW.progress
        OR OLD.current_step IS DISTINCT FROM NEW.current_step OR OLD.attempt IS DISTINCT FROM NEW.attempt
        OR OLD.error_code IS DISTINCT FROM NEW.error_code OR OLD.error_message IS DISTINCT FROM NEW.error_message
        OR OLD.error_retryable IS DISTINCT FROM NEW.error_retryable)
      EXECUTE FUNCTION betang_request_event_of_run();

    CREATE CONSTRAINT TRIGGER run_steps_event_insert AFTER INSERT ON run_steps
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION betang_request_event_of_run_step();
    CREATE CONSTRAINT TRIGGER run_steps_event_update AFTER UPDATE ON run_steps
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
      WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.detail IS DISTINCT FROM NEW.detail)
      EXECUTE FUNCTION betang_request_event_of_run_step();

    CREATE CONSTRAINT TRIGGER vms_event_insert AFTER INSERT ON vms
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION betang_request_event_of_vm();
    CREATE CONSTRAINT TRIGGER vms_event_update AFTER UPDATE ON vms
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
      WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.node IS DISTINCT FROM NEW.node OR OLD.vmid IS DISTINCT FROM NEW.vmid)
      EXECUTE FUNCTION betang_request_event_of_vm();

    CREATE CONSTRAINT TRIGGER ip_allocations_event_insert AFTER INSERT ON ip_allocations
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION betang_request_event_of_address();
    CREATE CONSTRAINT TRIGGER ip_allocations_event_update AFTER UPDATE ON ip_allocations
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
      WHEN (OLD.released_at IS DISTINCT FROM NEW.released_at OR OLD.vm_id IS DISTINCT FROM NEW.vm_id OR OLD.address IS DISTINCT FROM NEW.address)
      EXECUTE FUNCTION betang_request_event_of_address();
  `.execute(db);
}

/** Drops what `up` created. */
export async function down(db: AnyDb): Promise<void> {
  await sql`
    DROP TRIGGER IF EXISTS vps_requests_event_insert ON vps_requests;
    DROP TRIGGER IF EXISTS vps_requests_event_update ON vps_requests;
    DROP TRIGGER IF EXISTS approvals_event_insert ON approvals;
    DROP TRIGGER IF EXISTS provisioning_runs_event_insert ON provisioning_runs;
    DROP TRIGGER IF EXISTS provisioning_runs_event_update ON provisioning_runs;
    DROP TRIGGER IF EXISTS run_steps_event_insert ON run_steps;
    DROP TRIGGER IF EXISTS run_steps_event_update ON run_steps;
    DROP TRIGGER IF EXISTS vms_event_insert ON vms;
    DROP TRIGGER IF EXISTS vms_event_update ON vms;
    DROP TRIGGER IF EXISTS ip_allocations_event_insert ON ip_allocations;
    DROP TRIGGER IF EXISTS ip_allocations_event_update ON ip_allocations;
    DROP FUNCTION IF EXISTS betang_request_event_of_request(), betang_request_event_of_approval(), betang_request_event_of_run(),
      betang_request_event_of_run_step(), betang_request_event_of_vm(), betang_request_event_of_address();
    DROP FUNCTION IF EXISTS betang_emit_request_event(uuid, text, jsonb);
    DROP TABLE IF EXISTS request_events;
  `.execute(db);
}
