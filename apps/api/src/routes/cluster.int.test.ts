import { Role } from '@betang/core';
import { replaceClusterSnapshot, saveClusterSelfCheck, upsertFinding } from '@betang/db';
import { makeInstitution, makeUser } from '@betang/testkit';
import { signInAs, startApiHarness, type ApiHarness, type SignedIn } from '../testing/api-harness';

describe('cluster and reconciliation', () => {
  let h: ApiHarness;
  let operator: SignedIn;
  let staff: SignedIn;
  beforeAll(async () => {
    h = await startApiHarness();
    operator = await signInAs(h.app, (await makeUser(h.database.db, { roles: [Role.Operator] })).email);
    const inst = await makeInstitution(h.database.db);
    staff = await signInAs(h.app, (await makeUser(h.database.db, { roles: [Role.InstitutionStaff], institutionId: inst.id })).email);
  });
  afterAll(() => h.close());

  it('should show the last snapshot of every node, flag it stale when old, and hide it from institutions', async () => {
    const { db } = h.database;
    const node = (name: string, online: boolean, observedAt: Date) => ({
      node: name,
      online,
      statsVisible: true,
      cpuUsage: 0.25,
      cpuCount: 32,
      memTotalBytes: 128 * 2 ** 30,
      memUsedBytes: 40 * 2 ** 30,
      storages: [{ storage: 'ceph', shared: true, available: true, totalBytes: 4 * 2 ** 40, usedBytes: 2 ** 40 }],
      observedAt,
    });
    await db.transaction().execute((tx) => replaceClusterSnapshot(tx, [node('pve1', true, new Date()), node('pve2', false, new Date())]));
    const fresh = await operator.agent.get('/api/v1/cluster');
    expect(fresh.status).toBe(200);
    expect(fresh.body.stale).toBe(false);
    expect(fresh.body.nodes.map((n: { node: string; online: boolean }) => [n.node, n.online])).toEqual([
      ['pve1', true],
      ['pve2', false],
    ]);
    await db.transaction().execute((tx) => replaceClusterSnapshot(tx, [node('pve1', true, new Date(Date.now() - 10 * 60_000))]));
    const old = await operator.agent.get('/api/v1/cluster');
    expect(old.body.stale).toBe(true);
    expect(old.body.nodes).toHaveLength(1);
    expect((await staff.agent.get('/api/v1/cluster')).status).toBe(403);
  });

  it("should show the worker's last Proxmox self-check with each problem and its fix", async () => {
    expect((await operator.agent.get('/api/v1/cluster')).body.setup).toBeNull();
    const checkedAt = new Date();
    await saveClusterSelfCheck(h.database.db, {
      checkedAt,
      pveVersion: '9.1.3',
      problems: 1,
      findings: [
        { check: 'version', level: 'ok', subject: '9.1.3', message: { id: 'Proxmox VE 9.1.3', en: 'Proxmox VE 9.1.3' } },
        {
          check: 'permission',
          level: 'error',
          subject: '/pool/betang VM.Allocate',
          message: { id: 'Token tidak punya VM.Allocate pada /pool/betang', en: 'The token lacks VM.Allocate on /pool/betang' },
          fix: 'pveum role modify BetangVM …',
        },
      ],
    });
    const body = (await operator.agent.get('/api/v1/cluster')).body;
    expect(body.setup).toMatchObject({ checkedAt: checkedAt.toISOString(), pveVersion: '9.1.3', problems: 1 });
    expect(body.setup.findings[1]).toEqual({
      check: 'permission',
      level: 'error',
      subject: '/pool/betang VM.Allocate',
      message: { id: 'Token tidak punya VM.Allocate pada /pool/betang', en: 'The token lacks VM.Allocate on /pool/betang' },
      fix: 'pveum role modify BetangVM …',
    });
    expect((await staff.agent.get('/api/v1/cluster')).status).toBe(403);
  });

  it('should list open findings and let an operator dismiss one with a reason, audited', async () => {
    const { db } = h.database;
    await upsertFinding(db, {
      kind: 'orphan_vm',
      fingerprint: 'orphan_vm:100042',
      vmid: 100042,
      node: 'pve2',
      message: { id: 'VM 100042 bertanda Betang tanpa run', en: 'Betang-tagged VM 100042 without a run' },
    });
    const list = await operator.agent.get('/api/v1/reconciliation');
    expect(list.body.items).toEqual([
      expect.objectContaining({
        kind: 'orphan_vm',
        vmid: 100042,
        message: { id: 'VM 100042 bertanda Betang tanpa run', en: 'Betang-tagged VM 100042 without a run' },
      }),
    ]);
    const id = list.body.items[0].id as string;
    await operator.agent.post(`/api/v1/reconciliation/${id}/dismiss`).set('X-CSRF-Token', operator.csrfToken).send({}).expect(400);
    await operator.agent
      .post(`/api/v1/reconciliation/${id}/dismiss`)
      .set('X-CSRF-Token', operator.csrfToken)
      .send({ reason: 'VM uji lama, dihapus manual' })
      .expect(204);
    expect((await operator.agent.get('/api/v1/reconciliation')).body.items).toEqual([]);
    expect((await operator.agent.get('/api/v1/reconciliation?status=dismissed')).body.items[0].detail).toMatchObject({
      dismissReason: 'VM uji lama, dihapus manual',
    });
    await operator.agent
      .post(`/api/v1/reconciliation/${id}/dismiss`)
      .set('X-CSRF-Token', operator.csrfToken)
      .send({ reason: 'lagi lagi lagi' })
      .expect(404);
    const audit = await db.selectFrom('auditLog').select('action').where('targetId', '=', id).execute();
    expect(audit.map((a) => a.action)).toEqual(['reconciliation.finding_dismissed']);
  });
});
