import { Role, type EstateVmDto } from '@betang/core';
import { replaceEstateCensus, type EstateVmObservation } from '@betang/db';
import { makeAgreementInForce, makeApplication, makeInstitution, makeQuota, makeUser } from '@betang/testkit';
import { parseCsv } from '../use-cases/csv';
import { signInAs, startApiHarness, type ApiHarness, type SignedIn } from '../testing/api-harness';

jest.setTimeout(120_000);

const INSTS = ['dinkes', 'bappeda', 'bkpsdm'] as const;
const ROLES = ['web', 'db', 'app', 'gis'];

/**
 * A census of 100 hand-made VMs as the worker records it: names carrying an institution's code,
 * pooled static addresses, and the conflicts an estate has — 101 and 102 share an address, 103's
 * address is outside every pool, 104's vmid lies in Betang's range, 105 has no hint at all, 107 uses
 * two pooled addresses.
 */
function estate(): EstateVmObservation[] {
  const observedAt = new Date();
  return Array.from({ length: 100 }, (_, i) => {
    const vmid = i === 3 ? 100_500 : 101 + i;
    const inst = INSTS[i % 3]!;
    const address = i === 1 ? '10.120.0.30' : i === 2 ? '192.168.50.10' : `10.120.0.${30 + i}`;
    return {
      vmid,
      node: `pve${(i % 3) + 1}`,
      name: i === 4 ? 'test' : `${ROLES[i % 4]}-${inst}-${String(i).padStart(2, '0')}`,
      tags: i % 5 === 0 ? [inst] : [],
      notes: i % 7 === 0 ? `Server buatan tangan ${inst.toUpperCase()}` : null,
      cores: 2,
      memoryMiB: 2048,
      diskGiB: 20,
      power: i % 4 === 2 ? 'stopped' : 'running',
      agent: i % 5 !== 4,
      addresses: [
        { address, source: i % 5 === 4 ? ('config' as const) : ('agent' as const) },
        ...(i === 6 ? [{ address: '10.120.0.236', source: 'agent' as const }] : []),
      ],
      macAddress: `bc:24:11:00:00:${(i + 16).toString(16).padStart(2, '0')}`,
      smbiosUuid: null,
      inBetangRange: vmid >= 100_000,
      lock: null,
      observedAt,
    };
  });
}

describe('census and adoption of pre-existing VMs', () => {
  let h: ApiHarness;
  let operator: SignedIn;
  let staff: SignedIn;
  const inst: Record<string, { id: string; app: string }> = {};
  let poolId: string;

  const post = (who: SignedIn, url: string, body: unknown, lang = 'id') =>
    who.agent
      .post(`/api/v1${url}`)
      .set('X-CSRF-Token', who.csrfToken)
      .set('Accept-Language', lang)
      .send(body as object);
  const importCsv = (csv: string, dryRun: boolean, lang = 'id') =>
    operator.agent
      .post(`/api/v1/estate/import?dryRun=${dryRun}`)
      .set('X-CSRF-Token', operator.csrfToken)
      .set('Accept-Language', lang)
      .set('Content-Type', 'text/csv')
      .send(csv);
  const census = async (): Promise<EstateVmDto[]> => {
    const r = await operator.agent.get('/api/v1/estate');
    expect(r.status).toBe(200);
    return r.body.items as EstateVmDto[];
  };
  const adoptions = async () =>
    Number(
      (
        await h.database.db
          .selectFrom('adoptions')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    h = await startApiHarness();
    const { db } = h.database;
    const op = await makeUser(db, { roles: [Role.Operator] });
    operator = await signInAs(h.app, op.email);
    for (const code of INSTS) {
      const row = await makeInstitution(db, { code: code.toUpperCase() });
      inst[code] = { id: row.id, app: await makeApplication(db, row.id, `Portal ${code.toUpperCase()}`) };
    }
    staff = await signInAs(h.app, (await makeUser(db, { roles: [Role.InstitutionHead], institutionId: inst.dinkes!.id })).email);
    // DINKES is already tight: its quota and ceiling hold far fewer VMs than it runs.
    await makeQuota(db, inst.dinkes!.id, op.id, { cores: 8, memoryMiB: 8192, diskGiB: 100, vmCount: 4 });
    await makeAgreementInForce(db, inst.dinkes!.id, { cores: 16, memoryMiB: 16_384, diskGiB: 200, vmCount: 5, ipCount: 5 });
    poolId = (
      await db
        .insertInto('ipPools')
        .values({
          name: 'VLAN 120',
          cidr: '10.120.0.0/24',
          gateway: '10.120.0.1',
          bridge: 'vmbr0',
          rangeStart: '10.120.0.20',
          rangeEnd: '10.120.0.250',
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    await db.transaction().execute((tx) => replaceEstateCensus(tx, estate()));
  });
  afterAll(() => h.close());

  it('should list every unowned VM with a proposal and its reason, and the conflicts with what to decide', async () => {
    const items = await census();
    expect(items).toHaveLength(100);
    const web = items.find((v) => v.vmid === 101)!;
    expect(web).toMatchObject({ name: 'web-dinkes-00', node: 'pve1', status: 'unowned', power: 'running' });
    expect(web.proposal).toMatchObject({ institutionCode: 'DINKES', applicationName: 'Portal DINKES' });
    expect(web.proposal!.reason.id).toContain('dinkes');
    expect(web.conflicts).toMatchObject([{ kind: 'address_shared', address: '10.120.0.30', others: [102], resolved: false }]);
    expect(items.find((v) => v.vmid === 103)!.conflicts.map((c) => c.kind)).toEqual(['outside_pool']);
    expect(items.find((v) => v.vmid === 100_500)!.conflicts.map((c) => c.kind)).toEqual(['vmid_range']);
    expect(items.find((v) => v.vmid === 105)!.proposal).toBeNull();
    expect(items.filter((v) => v.conflicts.length === 0)).toHaveLength(96);
  });

  it('should keep the census from institutions', async () => {
    expect((await staff.agent.get('/api/v1/estate')).status).toBe(403);
    expect((await staff.agent.get('/api/v1/estate/export.csv')).status).toBe(403);
    expect((await post(staff, '/estate/101/adopt', { institutionId: inst.dinkes!.id, applicationId: inst.dinkes!.app })).status).toBe(403);
  });

  it('should make an adoption wait for the decision, in the caller’s language, then adopt once decided', async () => {
    const body = { institutionId: inst.dinkes!.id, applicationId: inst.dinkes!.app };
    const waiting = await post(operator, '/estate/101/adopt', body, 'en');
    expect(waiting.status).toBe(409);
    expect(waiting.body.error.message).toMatch(/^VM 101 waits for a decision: Address 10\.120\.0\.30 is also used by VM 102/);
    expect((await post(operator, '/estate/101/adopt', body)).body.error.message).toMatch(/^VM 101 menunggu keputusan/);

    // Another institution's application under DINKES is refused, naming the field.
    const wrong = await post(operator, '/estate/106/adopt', { institutionId: inst.dinkes!.id, applicationId: inst.bappeda!.app });
    expect(wrong.status).toBe(400);

    const decided = await post(operator, '/estate/101/decisions', { addresses: { '10.120.0.30': 'keep' } });
    expect(decided.status).toBe(200);
    expect(decided.body.conflicts).toMatchObject([{ kind: 'address_shared', resolved: true }]);
    // The other side was told to let go of it in the same decision.
    expect((await census()).find((v) => v.vmid === 102)!.conflicts).toMatchObject([{ kind: 'address_shared', resolved: true }]);

    const adopted = await post(operator, '/estate/101/adopt', body);
    expect(adopted.status).toBe(201);
    expect(adopted.body).toMatchObject({ vmid: 101, pooled: ['10.120.0.30'], outsidePool: [], dropped: [] });
    expect((await post(operator, '/estate/101/adopt', body)).status).toBe(409);

    const { db } = h.database;
    const vm = await db.selectFrom('vms').selectAll().where('id', '=', adopted.body.vmId).executeTakeFirstOrThrow();
    expect(vm).toMatchObject({ vmid: 101, node: 'pve1', state: 'running', institutionId: inst.dinkes!.id, cores: 2, memoryMiB: 2048 });
    const run = await db.selectFrom('provisioningRuns').selectAll().where('id', '=', adopted.body.runId).executeTakeFirstOrThrow();
    expect(run).toMatchObject({ kind: 'adopt', status: 'queued', vmId: vm.id });
    const audit = await db.selectFrom('auditLog').select(['action', 'institutionId']).where('targetId', '=', vm.id).execute();
    expect(audit).toContainEqual({ action: 'vm.adopted', institutionId: inst.dinkes!.id });
    // The head of DINKES now sees it among the institution's VMs.
    expect((await staff.agent.get(`/api/v1/vms/${vm.id}`)).status).toBe(200);
  });

  it('should let an operator retry an adoption whose marking run failed, once, from the failed runs', async () => {
    const { db } = h.database;
    const vm = await db.selectFrom('vms').select(['id', 'requestId']).where('vmid', '=', 101).executeTakeFirstOrThrow();
    const retry = (who: SignedIn, lang = 'id') => post(who, `/vps-requests/${vm.requestId}/retry`, {}, lang);
    // Still queued: nothing to retry.
    expect((await retry(operator, 'en')).body.error.message).toMatch(/adoption marking failed can be retried/);
    const first = await db
      .updateTable('provisioningRuns')
      .set({ status: 'failed', errorCode: 'PVE_UNREACHABLE', errorMessage: 'PVE tidak terjangkau', finishedAt: new Date() })
      .where('requestId', '=', vm.requestId)
      .where('kind', '=', 'adopt')
      .returning('id')
      .executeTakeFirstOrThrow();
    const queue = await operator.agent.get('/api/v1/operator/queue');
    expect(queue.body.failed).toContainEqual(expect.objectContaining({ runId: first.id, requestId: vm.requestId, status: 'active' }));

    expect((await retry(staff)).status).toBe(403);
    const retried = await retry(operator);
    expect(retried.status).toBe(200);
    expect(retried.body.status).toBe('active');
    const runs = await db
      .selectFrom('provisioningRuns')
      .select(['id', 'kind', 'status', 'vmId'])
      .where('requestId', '=', vm.requestId)
      .orderBy('createdAt')
      .orderBy('id')
      .execute();
    expect(runs).toEqual([
      { id: first.id, kind: 'adopt', status: 'failed', vmId: vm.id },
      { id: expect.any(String), kind: 'adopt', status: 'queued', vmId: vm.id },
    ]);
    const job = await db.selectFrom('outbox').select('id').where('dedupKey', '=', `run:${runs[1]!.id}`).execute();
    expect(job).toHaveLength(1);
    // A double click queues nothing more, and the superseded failure leaves the failed list.
    expect((await retry(operator)).status).toBe(409);
    expect((await operator.agent.get('/api/v1/operator/queue')).body.failed).toEqual([]);
    const audit = await db
      .selectFrom('auditLog')
      .select(['action', 'after'])
      .where('targetId', '=', vm.requestId)
      .where('action', '=', 'vps_request.retried')
      .orderBy('id')
      .execute();
    expect(audit).toEqual([{ action: 'vps_request.retried', after: expect.objectContaining({ kind: 'adopt', runId: runs[1]!.id }) }]);
  });

  it('should adopt the rest through the CSV mapping: every row checked first, nothing applied on an error', async () => {
    const exported = await operator.agent.get('/api/v1/estate/export.csv');
    expect(exported.status).toBe(200);
    const { rows } = parseCsv(exported.text);
    const [header, ...data] = rows;
    expect(header).toEqual([
      'vmid',
      'node',
      'name',
      'addresses',
      'institution_code',
      'application_name',
      'proposal_reason',
      'conflicts',
      'adopt',
    ]);
    expect(data).toHaveLength(99);
    const col = (name: string) => header!.indexOf(name);
    const row = (vmid: number) => data.find((r) => r[col('vmid')] === String(vmid))!;
    expect(row(106)[col('adopt')]).toBe('ya');
    expect(row(103)[col('conflicts')]).toContain('di luar semua pool');
    expect(row(103)[col('adopt')]).toBe('tidak');
    expect(row(106)[col('proposal_reason')]).toMatch(/pada (nama|tag|catatan)/);

    // The same sheet in English (the download link names the app's language): the same columns,
    // English words, and the import reads it as it reads the Indonesian one.
    const english = await operator.agent.get('/api/v1/estate/export.csv?lang=en');
    expect(english.headers['content-disposition']).toContain('vm-census.csv');
    const en = parseCsv(english.text).rows;
    expect(en[0]).toEqual(header);
    const enRow = (vmid: number) => en.find((r) => r[col('vmid')] === String(vmid))!;
    expect(enRow(106)[col('proposal_reason')]).toMatch(/in the (name|tags|notes)/);
    expect(enRow(106)[col('proposal_reason')]).not.toMatch(/pada /);
    expect(enRow(106)[col('adopt')]).toBe('yes');
    expect(enRow(106)[col('addresses')]).toMatch(/\(agent\)$/);
    expect(enRow(103)[col('conflicts')]).toContain('outside every IP pool');
    expect(enRow(103)[col('adopt')]).toBe('no');
    expect((await operator.agent.get('/api/v1/estate/export.csv?lang=fr')).status).toBe(400);
    const enDry = await importCsv(english.text, true, 'en');
    expect(enDry.body).toMatchObject({ dryRun: true, errors: [] });
    expect(enDry.body.adopted).toBe(en.slice(1).filter((r) => r[col('adopt')] === 'yes').length);
    expect(enDry.body.adopted).toBeGreaterThan(80);

    // The operator corrects the sheet: 105 ("test") goes to BKPSDM, every row is to be adopted.
    row(105)[col('institution_code')] = 'BKPSDM';
    row(105)[col('application_name')] = 'Portal BKPSDM';
    for (const r of data) r[col('adopt')] = 'ya';
    const toCsv = (rs: string[][]) => [header!, ...rs].map((r) => r.map((c) => `"${c.replace(/"/g, '""')}"`).join(',')).join('\n');

    // A hostile or mistyped row: the whole import is refused, row errors in the caller's language.
    const bad = data.map((r) => [...r]);
    bad[10]![col('institution_code')] = '$(rm -rf /); DROP TABLE vms';
    const refused = await importCsv(toCsv(bad), false, 'en');
    expect(refused.status).toBe(400);
    const details = refused.body.error.details as { row: number; column: string; message: string }[];
    expect(details).toContainEqual({
      row: 12,
      column: 'institution_code',
      message: 'Institution "$(rm -rf /); DROP TABLE vms" is unknown.',
    });
    // 102 let go of 10.120.0.30 when 101 kept it; 103 (outside pool) and 100500 (vmid range) still wait for decisions.
    expect(details.filter((d) => d.column === 'conflicts').map((d) => d.message)).toEqual([
      expect.stringMatching(/^VM 103 waits for a decision: Address 192\.168\.50\.10 is outside every IP pool/),
      expect.stringMatching(/^VM 100500 waits for a decision: VMID 100500 lies in Betang's own VMID range/),
    ]);
    expect(await adoptions()).toBe(1);

    // The operator decides the other two.
    expect((await post(operator, '/estate/103/decisions', { outsidePool: true })).status).toBe(200);
    expect((await post(operator, '/estate/100500/decisions', { vmidRange: true })).status).toBe(200);
    const dry = await importCsv(toCsv(data), true);
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ dryRun: true, rows: 99, adopted: 99, errors: [] });
    expect(await adoptions()).toBe(1);

    const done = await importCsv(toCsv(data), false);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ dryRun: false, adopted: 99, errors: [] });
    expect(await adoptions()).toBe(100);
    const r103 = (done.body.results as { vmid: number; outsidePool: string[]; pooled: string[] }[]).find((r) => r.vmid === 103);
    expect(r103).toMatchObject({ pooled: [], outsidePool: ['192.168.50.10'] });
    // Both of 107's pooled addresses are held by it; the first is the one Betang shows.
    const r107 = (done.body.results as { vmid: number; vmId: string; pooled: string[] }[]).find((r) => r.vmid === 107)!;
    expect(r107).toMatchObject({ pooled: ['10.120.0.36', '10.120.0.236'], outsidePool: [] });
    const holders = await operator.agent.get(`/api/v1/ip-pools/${poolId}/addresses?status=held&limit=1024`);
    const held107 = (holders.body.items as { address: string; holder: { vmid: number; primary: boolean } }[])
      .filter((a) => a.holder.vmid === 107)
      .map((a) => ({ address: a.address, primary: a.holder.primary }));
    expect(held107).toEqual([
      { address: '10.120.0.36', primary: true },
      { address: '10.120.0.236', primary: false },
    ]);
    const detail = await operator.agent.get(`/api/v1/vms/${r107.vmId}`);
    expect(detail.body.ipAddress).toBe('10.120.0.36');
    // The list shows the VM once, with its primary address.
    const listed = await operator.agent.get('/api/v1/vms?vmid=107');
    expect(listed.body.items.map((v: { ipAddress: string }) => v.ipAddress)).toEqual(['10.120.0.36']);
    expect((await census()).every((v) => v.status === 'adopted')).toBe(true);
    // Importing the same sheet again adopts nothing twice.
    expect((await importCsv(toCsv(data), false)).status).toBe(400);
  });

  it('should count the adopted VMs in quotas, ceilings and pools, reporting institutions over them', async () => {
    const quota = await operator.agent.get(`/api/v1/institutions/${inst.dinkes!.id}/quota`);
    expect(quota.body.usage).toEqual({ cores: 68, memoryMiB: 69_632, diskGiB: 680, vmCount: 34 });
    const pools = await operator.agent.get('/api/v1/ip-pools');
    // 100 VMs: 102 lost its shared address, 103 is outside the pool, 107 holds two → 99 held.
    expect(pools.body.items.find((p: { id: string }) => p.id === poolId)).toMatchObject({ held: 99 });
    const last = await h.database.db
      .selectFrom('auditLog')
      .select('after')
      .where('action', '=', 'vm.adopted')
      .where('institutionId', '=', inst.dinkes!.id)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    const over = (last.after as { over: { limit: string; dimension: string }[] }).over;
    expect(over).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ limit: 'quota', dimension: 'vmCount', allowed: 4, used: 34 }),
        expect.objectContaining({ limit: 'ceiling', dimension: 'vmCount', allowed: 5 }),
        expect.objectContaining({ limit: 'ceiling', dimension: 'ipCount', allowed: 5 }),
      ]),
    );
  });

  it('should give an adopted VM the day-2 actions and let an operator release it, audited', async () => {
    const { db } = h.database;
    const vm = await db.selectFrom('vms').select(['id', 'requestId']).where('vmid', '=', 106).executeTakeFirstOrThrow();
    // The adopt run is still queued (no worker here): one run at a time per VM.
    expect((await post(operator, `/vms/${vm.id}/actions`, { action: 'stop' })).status).toBe(409);
    await db.updateTable('provisioningRuns').set({ status: 'succeeded' }).where('requestId', '=', vm.requestId).execute();
    const stop = await post(operator, `/vms/${vm.id}/actions`, { action: 'stop' });
    expect(stop.status).toBe(202);
    await db.updateTable('provisioningRuns').set({ status: 'succeeded' }).where('id', '=', stop.body.runId).execute();

    expect((await post(staff, `/vms/${vm.id}/release`, { reason: 'bukan milik kami' })).status).toBe(403);
    const release = await post(operator, `/vms/${vm.id}/release`, { reason: 'Dikelola sendiri oleh dinas' });
    expect(release.status).toBe(202);
    const run = await db
      .selectFrom('provisioningRuns')
      .select(['kind', 'status'])
      .where('id', '=', release.body.runId)
      .executeTakeFirstOrThrow();
    expect(run).toEqual({ kind: 'release', status: 'queued' });
    const audit = await db.selectFrom('auditLog').select('action').where('targetId', '=', vm.id).execute();
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['vm.adopted', 'vm.stop_requested', 'vm.release_requested']));
  });
});
