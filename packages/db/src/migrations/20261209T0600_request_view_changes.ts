import { sql, type Kysely } from 'kysely';

// Untyped on purpose: migrations describe history and never import application code.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/** The NOTIFY channel the API's request-view cache listens on (apps/api request-view-cache.ts). */
const CHANNEL = 'betang_request_view';

/**
 * Tells every API instance which request's status view changed, so each can drop its cached
 * copy (docs/architecture.md, "Status-read cache"). Unlike request_events, which records what a
 * watcher cares about, this covers EVERY column the view reads (loadRequestViewParts): any
 * insert, update or delete on the tables it joins notifies the request's id; a change to what
 * many views share (an institution's code, a user's name, the approval policy) notifies `*`.
 *
 * Plain row triggers: PostgreSQL delivers a NOTIFY only when its transaction commits (never for
 * a rollback) and folds identical payloads of one transaction into one, so a run that updates
 * its steps twenty times in a transaction costs one notification per request.
 */
export async function up(db: AnyDb): Promise<void> {
  await sql`
    CREATE FUNCTION betang_notify_request_view() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      key text;
      keys text[] := ARRAY[]::text[];
    BEGIN
      IF TG_OP <> 'INSERT' THEN keys := keys || (to_jsonb(OLD) ->> TG_ARGV[0]); END IF;
      IF TG_OP <> 'DELETE' THEN keys := keys || (to_jsonb(NEW) ->> TG_ARGV[0]); END IF;
      FOREACH key IN ARRAY keys LOOP
        IF key IS NOT NULL AND TG_ARGV[0] = 'run_id' THEN
          SELECT request_id::text INTO key FROM provisioning_runs WHERE id = key::uuid;
        END IF;
        IF key IS NOT NULL THEN PERFORM pg_notify(${sql.lit(CHANNEL)}, key); END IF;
      END LOOP;
      RETURN NULL;
    END $$;

    CREATE FUNCTION betang_notify_request_views_all() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify(${sql.lit(CHANNEL)}, '*');
      RETURN NULL;
    END $$;

    CREATE TRIGGER vps_requests_view_write AFTER INSERT OR DELETE ON vps_requests
      FOR EACH ROW EXECUTE FUNCTION betang_notify_request_view('id');
    CREATE TRIGGER vps_requests_view_update AFTER UPDATE ON vps_requests
      FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION betang_notify_request_view('id');
    CREATE TRIGGER approvals_view_write AFTER INSERT OR DELETE ON approvals
      FOR EACH ROW EXECUTE FUNCTION betang_notify_request_view('request_id');
    CREATE TRIGGER approvals_view_update AFTER UPDATE ON approvals
      FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION betang_notify_request_view('request_id');
    CREATE TRIGGER provisioning_runs_view_write AFTER INSERT OR DELETE ON provisioning_runs
      FOR EACH ROW EXECUTE FUNCTION betang_notify_request_view('request_id');
    CREATE TRIGGER provisioning_runs_view_update AFTER UPDATE ON provisioning_runs
      FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION betang_notify_request_view('request_id');
    CREATE TRIGGER run_steps_view_write AFTER INSERT OR DELETE ON run_steps
      FOR EACH ROW EXECUTE FUNCTION betang_notify_request_view('run_id');
    CREATE TRIGGER run_steps_view_update AFTER UPDATE ON run_steps
      FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION betang_notify_request_view('run_id');
    CREATE TRIGGER vms_view_write AFTER INSERT OR DELETE ON vms
      FOR EACH ROW EXECUTE FUNCTION betang_notify_request_view('request_id');
    CREATE TRIGGER vms_view_update AFTER UPDATE ON vms
      FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION betang_notify_request_view('request_id');
    CREATE TRIGGER ip_allocations_view_write AFTER INSERT OR DELETE ON ip_allocations
      FOR EACH ROW EXECUTE FUNCTION betang_notify_request_view('request_id');
    CREATE TRIGGER ip_allocations_view_update AFTER UPDATE ON ip_allocations
      FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION betang_notify_request_view('request_id');
    CREATE TRIGGER public_endpoints_view_write AFTER INSERT OR DELETE ON public_endpoints
      FOR EACH ROW EXECUTE FUNCTION betang_notify_request_view('request_id');
    CREATE TRIGGER public_endpoints_view_update AFTER UPDATE ON public_endpoints
      FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION betang_notify_request_view('request_id');

    CREATE TRIGGER institutions_view_update AFTER UPDATE ON institutions
      FOR EACH ROW WHEN (OLD.code IS DISTINCT FROM NEW.code) EXECUTE FUNCTION betang_notify_request_views_all();
    CREATE TRIGGER users_view_update AFTER UPDATE ON users
      FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION betang_notify_request_views_all();
    CREATE TRIGGER settings_view_write AFTER INSERT OR UPDATE OR DELETE ON settings
      FOR EACH STATEMENT EXECUTE FUNCTION betang_notify_request_views_all();
  `.execute(db);
}

/** Drops what `up` created. */
export async function down(db: AnyDb): Promise<void> {
  await sql`
    DROP TRIGGER IF EXISTS vps_requests_view_write ON vps_requests;
    DROP TRIGGER IF EXISTS vps_requests_view_update ON vps_requests;
    DROP TRIGGER IF EXISTS approvals_view_write ON approvals;
    DROP TRIGGER IF EXISTS approvals_view_update ON approvals;
    DROP TRIGGER IF EXISTS provisioning_runs_view_write ON provisioning_runs;
    DROP TRIGGER IF EXISTS provisioning_runs_view_update ON provisioning_runs;
    DROP TRIGGER IF EXISTS run_steps_view_write ON run_steps;
    DROP TRIGGER IF EXISTS run_steps_view_update ON run_steps;
    DROP TRIGGER IF EXISTS vms_view_write ON vms;
    DROP TRIGGER IF EXISTS vms_view_update ON vms;
    DROP TRIGGER IF EXISTS ip_allocations_view_write ON ip_allocations;
    DROP TRIGGER IF EXISTS ip_allocations_view_update ON ip_allocations;
    DROP TRIGGER IF EXISTS public_endpoints_view_write ON public_endpoints;
    DROP TRIGGER IF EXISTS public_endpoints_view_update ON public_endpoints;
    DROP TRIGGER IF EXISTS institutions_view_update ON institutions;
    DROP TRIGGER IF EXISTS users_view_update ON users;
    DROP TRIGGER IF EXISTS settings_view_write ON settings;
    DROP FUNCTION IF EXISTS betang_notify_request_view(), betang_notify_request_views_all();
  `.execute(db);
}
