import { sql, type Kysely } from 'kysely';

// Migrations are untyped on purpose (they describe history, not today's types) and never
// import application code. `Kysely<any>` is the documented signature for that.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/** The whole Betang domain, with its invariants enforced by the database itself. */
export async function up(db: AnyDb): Promise<void> {
  await sql`
    CREATE FUNCTION betang_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN NEW.updated_at := now(); RETURN NEW; END $$;

    CREATE TABLE institutions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      code text NOT NULL UNIQUE CHECK (code ~ '^[A-Z][A-Z0-9-]{1,31}$'),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      address text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE users (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      institution_id uuid REFERENCES institutions(id),
      email text NOT NULL UNIQUE CHECK (email = lower(email) AND email LIKE '%_@_%'),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      nip text CHECK (nip ~ '^[0-9]{18}$'),
      position text,
      phone text,
      password_hash text NOT NULL,
      totp_secret text,
      locale text NOT NULL DEFAULT 'id' CHECK (locale IN ('id', 'en')),
      is_active boolean NOT NULL DEFAULT true,
      failed_logins integer NOT NULL DEFAULT 0,
      locked_until timestamptz,
      last_login_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE user_roles (
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      role text NOT NULL CHECK (role IN ('admin', 'operator', 'dc_head', 'institution_head', 'institution_staff', 'auditor')),
      PRIMARY KEY (user_id, role)
    );

    CREATE TABLE sessions (
      id_hash text PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      csrf_token text NOT NULL,
      ip text,
      user_agent text,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_seen_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL
    );
    CREATE INDEX sessions_user_idx ON sessions (user_id);

    CREATE TABLE api_tokens (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      prefix text NOT NULL,
      token_hash text NOT NULL UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz,
      last_used_at timestamptz,
      revoked_at timestamptz
    );

    CREATE TABLE applications (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      institution_id uuid NOT NULL REFERENCES institutions(id),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      kind text NOT NULL CHECK (kind IN ('umum', 'khusus')),
      description text,
      function text,
      unit text,
      pic_name text NOT NULL,
      pic_nip text NOT NULL CHECK (pic_nip ~ '^[0-9]{18}$'),
      pic_position text,
      pic_phone text,
      pic_email text NOT NULL,
      developer_type text NOT NULL DEFAULT 'internal' CHECK (developer_type IN ('internal', 'vendor')),
      developer_name text,
      contract_ref text,
      legal_basis text,
      user_type text NOT NULL DEFAULT 'internal' CHECK (user_type IN ('internal', 'public', 'both')),
      url text,
      tech_stack text,
      database_engine text,
      data_classification text NOT NULL CHECK (data_classification IN ('strategis', 'tinggi', 'rendah')),
      interfaces text,
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('planned', 'development', 'active', 'retired')),
      year_built integer CHECK (year_built BETWEEN 1990 AND 2100),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (institution_id, name)
    );

    CREATE TABLE agreements (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      institution_id uuid NOT NULL REFERENCES institutions(id),
      number text NOT NULL UNIQUE,
      template_version text NOT NULL,
      status text NOT NULL CHECK (status IN ('draft', 'awaiting_institution_head', 'awaiting_dc_head', 'in_force', 'expired', 'revoked')),
      term_start date NOT NULL,
      term_end date NOT NULL CHECK (term_end > term_start),
      ceiling_cores integer NOT NULL CHECK (ceiling_cores >= 0),
      ceiling_memory_mib integer NOT NULL CHECK (ceiling_memory_mib >= 0),
      ceiling_disk_gib integer NOT NULL CHECK (ceiling_disk_gib >= 0),
      ceiling_vm_count integer NOT NULL CHECK (ceiling_vm_count >= 0),
      ceiling_ip_count integer NOT NULL CHECK (ceiling_ip_count >= 0),
      verification_code text NOT NULL UNIQUE,
      original_document bytea NOT NULL,
      original_sha256 text NOT NULL CHECK (original_sha256 ~ '^[0-9a-f]{64}$'),
      current_document bytea NOT NULL,
      current_sha256 text NOT NULL CHECK (current_sha256 ~ '^[0-9a-f]{64}$'),
      revoked_at timestamptz,
      revoke_reason text,
      created_by uuid REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((status = 'revoked') = (revoked_at IS NOT NULL))
    );
    CREATE INDEX agreements_institution_idx ON agreements (institution_id, status);

    CREATE TABLE agreement_signatures (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      agreement_id uuid NOT NULL REFERENCES agreements(id),
      signer_user_id uuid REFERENCES users(id),
      signer_role text NOT NULL CHECK (signer_role IN ('institution_head', 'dc_head', 'external')),
      signer_name text NOT NULL,
      position integer NOT NULL CHECK (position >= 1),
      method text NOT NULL CHECK (method IN ('internal_ca', 'external')),
      signed_at timestamptz NOT NULL DEFAULT now(),
      sha256_before text NOT NULL,
      sha256_after text NOT NULL,
      certificate_pem text,
      consent_text text NOT NULL,
      ip text,
      user_agent text,
      UNIQUE (agreement_id, position),
      UNIQUE (agreement_id, signer_role)
    );

    CREATE TABLE signing_credentials (
      user_id uuid PRIMARY KEY REFERENCES users(id),
      certificate_pem text NOT NULL,
      encrypted_private_key text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE quotas (
      institution_id uuid PRIMARY KEY REFERENCES institutions(id),
      cores integer NOT NULL CHECK (cores >= 0),
      memory_mib integer NOT NULL CHECK (memory_mib >= 0),
      disk_gib integer NOT NULL CHECK (disk_gib >= 0),
      vm_count integer NOT NULL CHECK (vm_count >= 0),
      updated_by uuid REFERENCES users(id),
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE ip_pools (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL UNIQUE,
      cidr cidr NOT NULL,
      gateway inet NOT NULL,
      vlan_tag integer CHECK (vlan_tag BETWEEN 1 AND 4094),
      bridge text NOT NULL CHECK (bridge ~ '^[a-zA-Z][a-zA-Z0-9_.-]{0,15}$'),
      dns_servers inet[] NOT NULL DEFAULT '{}',
      search_domain text,
      range_start inet NOT NULL,
      range_end inet NOT NULL,
      institution_id uuid REFERENCES institutions(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK (gateway << cidr AND range_start << cidr AND range_end << cidr AND range_start <= range_end)
    );

    CREATE TABLE catalog_templates (
      id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9.-]{0,62}$'),
      name text NOT NULL,
      os_family text NOT NULL,
      pve_template_vmid integer NOT NULL CHECK (pve_template_vmid BETWEEN 100 AND 999999999),
      pve_node text,
      storage text,
      is_active boolean NOT NULL DEFAULT true,
      sort_order integer NOT NULL DEFAULT 0
    );

    CREATE TABLE size_presets (
      id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,31}$'),
      name text NOT NULL,
      cores integer NOT NULL CHECK (cores >= 1),
      memory_mib integer NOT NULL CHECK (memory_mib >= 512),
      disk_gib integer NOT NULL CHECK (disk_gib >= 1),
      is_active boolean NOT NULL DEFAULT true,
      sort_order integer NOT NULL DEFAULT 0
    );

    CREATE TABLE settings (
      key text PRIMARY KEY,
      value jsonb NOT NULL,
      updated_by uuid REFERENCES users(id),
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE vps_requests (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      institution_id uuid NOT NULL REFERENCES institutions(id),
      application_id uuid NOT NULL REFERENCES applications(id),
      requested_by uuid NOT NULL REFERENCES users(id),
      hostname text NOT NULL CHECK (hostname ~ '^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$'),
      template_id text NOT NULL REFERENCES catalog_templates(id),
      preset_id text REFERENCES size_presets(id),
      cores integer NOT NULL CHECK (cores >= 1),
      memory_mib integer NOT NULL CHECK (memory_mib >= 512),
      disk_gib integer NOT NULL CHECK (disk_gib >= 1),
      ssh_public_keys text[] NOT NULL CHECK (cardinality(ssh_public_keys) BETWEEN 1 AND 20),
      purpose text NOT NULL,
      public_access boolean NOT NULL DEFAULT false,
      ports integer[] NOT NULL DEFAULT '{}',
      contact jsonb NOT NULL,
      status text NOT NULL CHECK (status IN ('draft', 'submitted', 'partially_approved', 'approved', 'queued', 'provisioning', 'active', 'stopped', 'expiring', 'decommissioning', 'decommissioned', 'rejected', 'cancelled', 'failed')),
      status_reason text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX vps_requests_live_hostname_uq ON vps_requests (institution_id, hostname)
      WHERE status NOT IN ('decommissioned', 'rejected', 'cancelled', 'failed');
    CREATE INDEX vps_requests_status_idx ON vps_requests (status, created_at);

    CREATE TABLE approvals (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      request_id uuid NOT NULL REFERENCES vps_requests(id),
      level integer NOT NULL CHECK (level >= 1),
      decision text NOT NULL CHECK (decision IN ('approved', 'rejected')),
      decided_by uuid REFERENCES users(id),
      role text NOT NULL,
      comment text,
      decided_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (request_id, level, decided_by),
      CHECK (decision <> 'rejected' OR (comment IS NOT NULL AND length(comment) > 0))
    );

    CREATE TABLE vms (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      request_id uuid NOT NULL UNIQUE REFERENCES vps_requests(id),
      institution_id uuid NOT NULL REFERENCES institutions(id),
      vmid integer CHECK (vmid BETWEEN 100 AND 999999999),
      node text,
      name text NOT NULL,
      mac_address text,
      host_key text,
      cores integer NOT NULL,
      memory_mib integer NOT NULL,
      disk_gib integer NOT NULL,
      state text NOT NULL CHECK (state IN ('reserved', 'provisioning', 'running', 'stopped', 'decommissioning', 'decommissioned', 'missing', 'failed')),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX vms_live_vmid_uq ON vms (vmid) WHERE state NOT IN ('decommissioned', 'failed') AND vmid IS NOT NULL;

    CREATE TABLE ip_allocations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      pool_id uuid NOT NULL REFERENCES ip_pools(id),
      address inet NOT NULL,
      request_id uuid NOT NULL REFERENCES vps_requests(id),
      vm_id uuid REFERENCES vms(id),
      reserved_at timestamptz NOT NULL DEFAULT now(),
      released_at timestamptz,
      release_reason text
    );
    CREATE UNIQUE INDEX ip_allocations_held_uq ON ip_allocations (pool_id, address) WHERE released_at IS NULL;
    CREATE UNIQUE INDEX ip_allocations_one_per_request_uq ON ip_allocations (request_id) WHERE released_at IS NULL;

    CREATE TABLE provisioning_runs (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      request_id uuid NOT NULL REFERENCES vps_requests(id),
      vm_id uuid REFERENCES vms(id),
      kind text NOT NULL CHECK (kind IN ('provision', 'start', 'stop', 'shutdown', 'reboot', 'resize', 'decommission')),
      status text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
      attempt integer NOT NULL DEFAULT 0 CHECK (attempt >= 0),
      progress integer NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
      current_step text,
      error_code text,
      error_message text,
      error_retryable boolean,
      requested_by uuid REFERENCES users(id),
      params jsonb NOT NULL DEFAULT '{}',
      deadline_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      finished_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (status <> 'failed' OR error_message IS NOT NULL)
    );
    CREATE INDEX provisioning_runs_request_idx ON provisioning_runs (request_id, created_at);
    CREATE INDEX provisioning_runs_status_idx ON provisioning_runs (status, created_at);
    CREATE UNIQUE INDEX provisioning_runs_one_live_per_request_uq ON provisioning_runs (request_id)
      WHERE status IN ('queued', 'running');

    CREATE TABLE run_steps (
      run_id uuid NOT NULL REFERENCES provisioning_runs(id),
      key text NOT NULL,
      position integer NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed', 'skipped')),
      attempt integer NOT NULL DEFAULT 0,
      started_at timestamptz,
      finished_at timestamptz,
      detail text,
      result jsonb,
      error jsonb,
      PRIMARY KEY (run_id, key),
      UNIQUE (run_id, position)
    );

    CREATE TABLE outbox (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      topic text NOT NULL CHECK (topic IN ('job', 'email', 'event')),
      dedup_key text UNIQUE,
      payload jsonb NOT NULL,
      attempts integer NOT NULL DEFAULT 0,
      available_at timestamptz NOT NULL DEFAULT now(),
      last_error text,
      processed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX outbox_pending_idx ON outbox (topic, available_at) WHERE processed_at IS NULL;

    CREATE TABLE audit_log (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      at timestamptz NOT NULL DEFAULT now(),
      actor_user_id uuid REFERENCES users(id),
      actor_label text NOT NULL,
      institution_id uuid REFERENCES institutions(id),
      action text NOT NULL CHECK (action ~ '^[a-z_]+(\.[a-z_]+)+$'),
      target_type text NOT NULL,
      target_id text,
      before jsonb,
      after jsonb,
      request_id text,
      ip text,
      user_agent text
    );
    CREATE INDEX audit_log_institution_idx ON audit_log (institution_id, at);
    CREATE INDEX audit_log_target_idx ON audit_log (target_type, target_id);

    CREATE FUNCTION betang_audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege'; END $$;
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION betang_audit_log_append_only();
    CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION betang_audit_log_append_only();
  `.execute(db);

  for (const table of ['institutions', 'users', 'applications', 'agreements', 'vps_requests', 'vms', 'provisioning_runs']) {
    await sql`CREATE TRIGGER ${sql.raw(`${table}_touch`)} BEFORE UPDATE ON ${sql.table(table)}
      FOR EACH ROW EXECUTE FUNCTION betang_touch_updated_at()`.execute(db);
  }
}

/** Drops everything `up` created. */
export async function down(db: AnyDb): Promise<void> {
  await sql`
    DROP TABLE IF EXISTS audit_log, outbox, run_steps, provisioning_runs, ip_allocations, vms, approvals,
      vps_requests, settings, size_presets, catalog_templates, ip_pools, quotas, signing_credentials,
      agreement_signatures, agreements, applications, api_tokens, sessions, user_roles, users, institutions CASCADE;
    DROP FUNCTION IF EXISTS betang_audit_log_append_only();
    DROP FUNCTION IF EXISTS betang_touch_updated_at();
  `.execute(db);
}
