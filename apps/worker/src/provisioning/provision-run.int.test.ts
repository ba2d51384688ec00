import { randomBytes } from 'node:crypto';
import { getRun, listRunSteps, type Db } from '@betang/db';
import { decodeSshKeys, parseTags } from '@betang/proxmox';
import { createJobProducer, createQueueBackend, startWorkers } from '@betang/queue';
import { createTestDatabase, makeOperator, makeQueuedProvisionRun, type TestDatabase } from '@betang/testkit';
import { relayJobsOnce } from '../outbox/job-relay';
import { completeHandlers, startProvisioningEnv, type ProvisioningEnv } from '../testing/provisioning-env';
import { runToEnd } from '../testing/run-to-end';
import { runMarker, runTag } from './provision-context';

jest.setTimeout(90_000);

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('provisioning against the simulator, PostgreSQL and Redis', () => {
  let t: TestDatabase;
  let db: Db;
  let env: ProvisioningEnv;

  beforeAll(async () => {
    t = await createTestDatabase();
    db = t.db;
    env = await startProvisioningEnv(db);
    await makeOperator(db);
  });
  afterAll(async () => {
    await env?.close();
    await t?.drop();
  });

  it('should turn an approved request into an active, configured VM through the outbox, BullMQ and the harness', async () => {
    const q = await makeQueuedProvisionRun(db, { ports: [80, 443] });
    env.portsByHostname.set(q.hostname, q.ports);
    const backend = createQueueBackend({
      kind: 'redis',
      url: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
      prefix: `bt-${randomBytes(4).toString('hex')}`,
    });
    const producer = createJobProducer(backend);
    const workers = startWorkers(backend, completeHandlers(env.deps), {
      concurrency: { provisioning: 2, maintenance: 1, notifications: 1 },
    });
    try {
      expect(await relayJobsOnce(db, producer, env.deps.logger)).toBe(1);
      const run = await waitFor('run to finish', async () => {
        const r = await getRun(db, q.runId);
        return r && (r.status === 'succeeded' || r.status === 'failed') ? r : undefined;
      });
      expect(run).toMatchObject({ status: 'succeeded', progress: 100, attempt: 1, errorMessage: null });
      // A second enqueue of the same run (relay re-delivery) does nothing: same job id, finished run.
      expect(await relayJobsOnce(db, producer, env.deps.logger)).toBe(0);
    } finally {
      await Promise.all(workers.map((w) => w.close()));
      await producer.close();
      await backend.close();
    }

    const request = await db
      .selectFrom('vpsRequests')
      .select(['status', 'statusReason'])
      .where('id', '=', q.requestId)
      .executeTakeFirstOrThrow();
    expect(request).toEqual({ status: 'active', statusReason: null });
    const vm = await db.selectFrom('vms').selectAll().where('requestId', '=', q.requestId).executeTakeFirstOrThrow();
    expect(vm).toMatchObject({ state: 'running', node: 'pve1', cores: 2, memoryMiB: 2048, diskGiB: 10 });
    expect(vm.vmid).toBeGreaterThanOrEqual(100_000);
    expect(vm.hostKey).toBe(
      env.sim.state
        .hostKey(vm.vmid as number)
        ?.trim()
        .split(' ')
        .slice(0, 2)
        .join(' '),
    );

    const simVm = env.sim.state.vm(vm.vmid as number);
    const cfg = simVm?.config as Record<string, string>;
    expect(simVm?.status).toBe('running');
    expect(Number(cfg.cores)).toBe(2);
    expect(Number(cfg.memory)).toBe(2048);
    expect(cfg.ipconfig0).toBe(`ip=${q.address}/24,gw=10.20.0.1`);
    expect(cfg.net0).toMatch(new RegExp(`^virtio=${vm.macAddress?.toUpperCase()},bridge=vmbr0,firewall=1`));
    expect(cfg.nameserver).toBe('10.20.0.2 10.20.0.3');
    expect(cfg.searchdomain).toBe('kalteng.go.id');
    expect(cfg.ciuser).toBe('betang');
    expect(String(cfg.agent)).toMatch(/^1/);
    expect(String(cfg.onboot)).toBe('1');
    // cloud-init must not upgrade on first boot (PVE's default): the packages guest step does, through the DC's proxy/mirror.
    expect(String(cfg.ciupgrade)).toBe('0');
    expect(parseTags(cfg.tags)).toEqual(
      expect.arrayContaining(['betang', runTag(q.runId), `betang-inst-${q.institutionCode.toLowerCase()}`]),
    );
    expect(cfg.description?.split('\n')).toContain(runMarker(q.runId));
    expect(decodeSshKeys(cfg.sshkeys)).toEqual([...q.sshPublicKeys, env.platformKey.publicKey]);
    expect(cfg.scsi0).toMatch(/size=10G/);

    const steps = await listRunSteps(db, q.runId);
    expect(steps.map((s) => s.key)).toEqual([
      'reserve',
      'place',
      'clone',
      'configure',
      'resize',
      'start',
      'await-agent',
      'await-cloud-init',
      'pin-host-key',
      'configure-guest',
      'public-endpoint',
      'verify',
      'hand-over',
    ]);
    // An internal-only request skips the public endpoint.
    expect(steps.find((s) => s.key === 'public-endpoint')?.status).toBe('skipped');
    expect(steps.every((s) => (s.status === 'done' || s.key === 'public-endpoint') && s.attempt === 1 && s.finishedAt !== null)).toBe(true);

    const ssh = env.sim.state.guestCommands(vm.vmid as number).filter((c) => c.via === 'ssh');
    expect(ssh.every((c) => c.user === 'betang')).toBe(true);
    const text = ssh.map((c) => c.command).join('\n');
    // cloud-init already named the guest after the VM (and wrote /etc/hosts): only preserve_hostname is added.
    expect(text).not.toContain('hostnamectl set-hostname');
    expect(text).toContain('/etc/cloud/cloud.cfg.d/99-betang-hostname.cfg');
    expect(env.guests.state(vm.vmid as number)?.files.get('/etc/hosts')).toContain(`127.0.1.1 ${q.hostname}.kalteng.go.id ${q.hostname}\n`);
    expect(text).toContain(`useradd --create-home --user-group --shell /bin/bash -- ${q.institutionCode.toLowerCase()}`);
    expect(text).toContain('ufw allow 80/tcp');
    expect(text).toContain('ufw allow 443/tcp');
    expect(text).toContain('timedatectl set-timezone Asia/Jakarta');
    const agent = env.sim.state.guestCommands(vm.vmid as number).filter((c) => c.via === 'agent');
    expect(agent.map((c) => c.command)).toContain('cat /etc/ssh/ssh_host_ed25519_key.pub');
    // The host key is read once, after cloud-init said done, and before the first SSH command.
    const plan = env.sim.state.bootPlan(vm.vmid as number);
    const keyReads = agent.filter((c) => c.command === 'cat /etc/ssh/ssh_host_ed25519_key.pub');
    expect(keyReads).toHaveLength(1);
    expect(keyReads[0]!.at).toBeGreaterThanOrEqual(plan!.cloudInitDoneAt);
    expect(keyReads[0]!.at).toBeLessThanOrEqual(ssh[0]!.at);
    // cloud-init's status (a Python start in the guest) is read at the start and once result.json
    // exists; the polls in between only test for the file.
    const statusReads = agent.filter((c) => c.command === 'cloud-init status --format json');
    const probes = agent.filter((c) => c.command === 'test -e /run/cloud-init/result.json');
    expect(statusReads.length).toBeGreaterThanOrEqual(1);
    expect(statusReads.length).toBeLessThanOrEqual(3);
    // (cloud-init may already be done at the first read on a fast boot: then there is no probe)
    if (statusReads[0]!.at < plan!.cloudInitDoneAt) expect(probes.length).toBeGreaterThanOrEqual(1);
    expect(probes.filter((c) => c.code === 0).length).toBeLessThanOrEqual(1);
    expect(statusReads.at(-1)!.at).toBeGreaterThanOrEqual(plan!.cloudInitDoneAt);
    expect(text).toContain('--force-confold upgrade');

    const lease = await db.selectFrom('ipAllocations').select(['vmId', 'releasedAt']).where('requestId', '=', q.requestId).execute();
    expect(lease).toEqual([{ vmId: vm.id, releasedAt: null }]);
    const audit = await db
      .selectFrom('auditLog')
      .select(['action', 'actorLabel'])
      .where('actorLabel', '=', 'worker')
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['vps_request.provisioning', 'vm.reserved', 'vm.cloned', 'vm.provisioned', 'provisioning_run.succeeded']),
    );
    const mail = await db
      .selectFrom('outbox')
      .select(['payload', 'dedupKey'])
      .where('topic', '=', 'email')
      .where('dedupKey', 'like', `vps-ready:${q.requestId}:%`)
      .execute();
    // The contact person gets the e-mail directly; the requester through the notification service.
    expect(mail).toHaveLength(1);
    const payload = mail[0]?.payload as { to: string[]; text: { id: string; en: string } };
    expect(payload.to).toEqual(['pic@uji.kalteng.go.id']);
    expect(payload.text.en).toContain(`ssh ${q.institutionCode.toLowerCase()}@${q.address}`);
    expect(JSON.stringify(payload)).not.toContain('PRIVATE KEY');
    const ready = await db
      .selectFrom('notifications')
      .select(['userId', 'body', 'link'])
      .where('reason', 'like', `vps_request:${q.requestId}:ready:%`)
      .execute();
    expect(ready).toEqual([{ userId: q.requesterId, body: payload.text, link: `/vps-requests/${q.requestId}` }]);
    const requesterMail = await db
      .selectFrom('outbox')
      .select('payload')
      .where('topic', '=', 'email')
      .where('payload', '@>', JSON.stringify({ to: [q.requesterEmail], reason: `vps_request:${q.requestId}:ready:${q.runId}` }))
      .execute();
    expect(requesterMail).toHaveLength(1);
  });

  it('should resume from the step after the last finished one when run again, cloning only once', async () => {
    const q = await makeQueuedProvisionRun(db, { ports: [] });
    env.portsByHostname.set(q.hostname, q.ports);
    // The first attempt stops at pin-host-key: reading the host key through the agent fails for now.
    env.sim.faults.setGuestCommandHandler((vmid, command) => {
      if (command.includes('ssh_host_ed25519_key.pub')) throw new Error('guest-exec failed for now');
      return env.guests(vmid, command);
    });
    const first = await runToEnd(env.deps, q.runId, { attempts: 3, maxExecutions: 1 });
    expect(first.status).toBe('running');
    const steps = await listRunSteps(db, q.runId);
    expect(steps.filter((s) => s.status === 'done').map((s) => s.key)).toEqual([
      'reserve',
      'place',
      'clone',
      'configure',
      'resize',
      'start',
      'await-agent',
      'await-cloud-init',
    ]);
    expect(steps.find((s) => s.key === 'pin-host-key')).toMatchObject({
      status: 'failed',
      error: expect.objectContaining({ retryable: true }),
    });
    env.healthy();
    const second = await runToEnd(env.deps, q.runId, { attempts: 3, firstAttempt: 1 });
    expect(second.status).toBe('succeeded');
    const again = await listRunSteps(db, q.runId);
    expect(again.find((s) => s.key === 'clone')?.attempt).toBe(1);
    expect(again.find((s) => s.key === 'await-agent')?.attempt).toBe(1);
    expect(again.find((s) => s.key === 'pin-host-key')?.attempt).toBe(2);
    const mine = env.sim.state
      .listVms()
      .filter((v) => parseTags(String((v.config as Record<string, unknown>).tags ?? '')).includes(runTag(q.runId)));
    expect(mine).toHaveLength(1);
  });

  it('should fail for good with CLOUD_INIT_FAILED when cloud-init finished with errors, and remove the VM', async () => {
    const q = await makeQueuedProvisionRun(db, { ports: [] });
    env.portsByHostname.set(q.hostname, q.ports);
    const error = "('users_groups', ValueError('Unknown user or group: betang'))";
    const v1 = {
      boot_status_code: 'enabled-by-generator',
      datasource: 'nocloud',
      detail: error,
      errors: [error],
      last_update: 'Mon, 07 Dec 2026 01:00:00 +0000',
      status: 'error',
    };
    env.sim.faults.setGuestCommandHandler((vmid, command) =>
      command === 'cloud-init status --format json'
        ? { code: 1, stdout: `${JSON.stringify({ _schema_version: '1', ...v1, schemas: { '1': v1 } }, null, 2)}\n` }
        : env.guests(vmid, command),
    );
    const failedAt = Date.now();
    try {
      const out = await runToEnd(env.deps, q.runId, { attempts: 3 });
      expect(out.status).toBe('failed');
    } finally {
      env.healthy();
    }
    const run = await getRun(db, q.runId);
    expect(run).toMatchObject({ status: 'failed', errorCode: 'CLOUD_INIT_FAILED' });
    expect(run?.errorMessage).toContain('Unknown user or group: betang');
    expect(run?.errorMessage).toContain('docs/runbook.md#cloud_init_failed');
    const failed = await db
      .selectFrom('auditLog')
      .select('after')
      .where('action', '=', 'vm.provision_failed')
      .where('targetId', '=', q.requestId)
      .executeTakeFirstOrThrow();
    expect(failed.after).toMatchObject({ code: 'CLOUD_INIT_FAILED', step: 'await-cloud-init' });
    const agent = env.sim.state.guestCommands().filter((c) => c.via === 'agent' && c.command.includes('ssh_host_ed25519_key'));
    expect(agent.filter((c) => c.at >= failedAt)).toEqual([]);
    const mine = env.sim.state
      .listVms()
      .filter((v) => parseTags(String((v.config as Record<string, unknown>).tags ?? '')).includes(runTag(q.runId)));
    expect(mine).toHaveLength(0);
  });
});
