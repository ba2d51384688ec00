import { Role } from '@betang/core';
import { makeCatalog, makeInstitution, makeUser } from '@betang/testkit';
import { signInAs, startApiHarness, type ApiHarness, type SignedIn } from '../testing/api-harness';

describe('template copies per node (catalog_template_nodes)', () => {
  let h: ApiHarness;
  let operator: SignedIn;
  let staff: SignedIn;
  beforeAll(async () => {
    h = await startApiHarness();
    await makeCatalog(h.database.db);
    operator = await signInAs(h.app, (await makeUser(h.database.db, { roles: [Role.Operator] })).email);
    const inst = await makeInstitution(h.database.db);
    staff = await signInAs(h.app, (await makeUser(h.database.db, { roles: [Role.InstitutionStaff], institutionId: inst.id })).email);
  });
  afterAll(() => h.close());

  const put = (who: SignedIn, id: string, body: unknown) =>
    who.agent
      .put(`/api/v1/catalog/templates/${id}/nodes`)
      .set('X-CSRF-Token', who.csrfToken)
      .send(body as object);

  it('should replace the map of a template, audited, and read it back', async () => {
    const items = [
      { node: 'pve2', pveTemplateVmid: 9100, storage: 'local-lvm' },
      { node: 'pve3', pveTemplateVmid: 9200 },
    ];
    const saved = await put(operator, 'debian-12', { items }).expect(200);
    expect(saved.body.items).toEqual([
      { node: 'pve2', pveTemplateVmid: 9100, storage: 'local-lvm' },
      { node: 'pve3', pveTemplateVmid: 9200, storage: null },
    ]);
    expect((await operator.agent.get('/api/v1/catalog/templates/debian-12/nodes').expect(200)).body).toEqual(saved.body);
    // replacing drops what is not listed
    await put(operator, 'debian-12', { items: [{ node: 'pve3', pveTemplateVmid: 9200 }] }).expect(200);
    expect((await operator.agent.get('/api/v1/catalog/templates/debian-12/nodes')).body.items).toEqual([
      { node: 'pve3', pveTemplateVmid: 9200, storage: null },
    ]);
    const audit = await h.database.db.selectFrom('auditLog').select('action').where('targetId', '=', 'debian-12').execute();
    expect(audit.map((a) => a.action)).toEqual(['catalog.template_copies_saved', 'catalog.template_copies_saved']);
  });

  it('should refuse hostile or contradictory maps with nothing written, and hide the map from institutions', async () => {
    const before = (await operator.agent.get('/api/v1/catalog/templates/debian-12/nodes')).body;
    for (const items of [
      [{ node: 'pve2/../../etc', pveTemplateVmid: 9100 }],
      [{ node: 'pve2', pveTemplateVmid: 99 }],
      [{ node: 'pve2', pveTemplateVmid: 9100, storage: 'ceph;rm -rf' }],
      [
        { node: 'pve2', pveTemplateVmid: 9100 },
        { node: 'pve2', pveTemplateVmid: 9101 },
      ],
      [
        { node: 'pve2', pveTemplateVmid: 9100 },
        { node: 'pve3', pveTemplateVmid: 9100 },
      ],
    ]) {
      const r = await put(operator, 'debian-12', { items });
      expect([r.status, r.body.error?.code]).toEqual([400, 'VALIDATION_FAILED']);
    }
    // a vmid already serving another template
    const clash = await put(operator, 'ubuntu-24.04', { items: [{ node: 'pve3', pveTemplateVmid: 9200 }] });
    expect(clash.status).toBe(409);
    expect(clash.body.error.message).toContain('debian-12');
    expect((await put(operator, 'no-such', { items: [] })).status).toBe(404);
    expect((await operator.agent.get('/api/v1/catalog/templates/debian-12/nodes')).body).toEqual(before);
    expect((await staff.agent.get('/api/v1/catalog/templates/debian-12/nodes')).status).toBe(403);
    expect((await put(staff, 'debian-12', { items: [] })).status).toBe(403);
  });
});
