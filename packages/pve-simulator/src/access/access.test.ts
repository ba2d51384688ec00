import { DEFAULT_TOKEN_ID, DEFAULT_TOKEN_SECRET } from '../options';
import { startSimulator, type RunningSimulator } from '../simulator';
import { rawRequest, type RawTarget } from '../testing/raw-client';

const SEP = { tokenId: 'alice@pve!sep', secret: '11111111-2222-4333-8444-555555555555', privsep: true };
const FULL = { tokenId: 'alice@pve!full', secret: '66666666-7777-4888-9999-aaaaaaaaaaaa', privsep: false };
const BARE = { tokenId: 'bob@pve!none', secret: 'bbbbbbbb-cccc-4ddd-8eee-ffffffffffff', privsep: true };

describe('PVE permission model', () => {
  let sim: RunningSimulator;
  const as = (t: { tokenId: string; secret: string }): RawTarget => ({
    url: sim.url,
    caPem: sim.caPem,
    tokenId: t.tokenId,
    tokenSecret: t.secret,
  });
  const root = (): RawTarget => ({ url: sim.url, caPem: sim.caPem, tokenId: DEFAULT_TOKEN_ID, tokenSecret: DEFAULT_TOKEN_SECRET });
  const perms = async (t: RawTarget, path?: string) =>
    (await rawRequest(t, 'GET', `/access/permissions${path ? `?path=${encodeURIComponent(path)}` : ''}`)).body?.data as Record<
      string,
      Record<string, number>
    >;

  beforeAll(async () => {
    sim = await startSimulator({
      timeFactor: 0,
      authFailureDelayMs: 0,
      tokens: [{ tokenId: DEFAULT_TOKEN_ID, secret: DEFAULT_TOKEN_SECRET, privsep: false }, SEP, FULL, BARE],
      access: {
        roles: {
          Cloner: ['VM.Clone', 'VM.Audit', 'VM.Monitor'],
          Owner: ['VM.Allocate', 'VM.Audit', 'VM.PowerMgmt', 'VM.Config.Options', 'Datastore.AllocateSpace'],
        },
        acls: [
          { path: '/pool/templates', roleid: 'Cloner', users: ['alice@pve'], tokens: ['alice@pve!sep'] },
          { path: '/pool/customers', roleid: 'Owner', users: ['alice@pve'] },
          { path: '/storage/ceph', roleid: 'PVEDatastoreUser', users: ['alice@pve'], tokens: ['alice@pve!sep'] },
          { path: '/sdn/zones/localnetwork/vmbr0', roleid: 'PVESDNUser', users: ['alice@pve'], tokens: ['alice@pve!sep'] },
          { path: '/vms', roleid: 'PVEAuditor', users: ['alice@pve'], propagate: false },
          { path: '/nodes', roleid: 'PVEAuditor', users: ['alice@pve'] },
          { path: '/nodes/pve3', roleid: 'NoAccess', users: ['alice@pve'] },
        ],
      },
    });
  });
  afterAll(() => sim.close());

  it('should drop privileges the flavour does not know, as PVE 9 drops VM.Monitor from a role made on PVE 8', async () => {
    expect(await perms(as(SEP), '/vms/9000')).toEqual({ '/vms/9000': { 'VM.Audit': 0, 'VM.Clone': 0 } });
    expect(sim.state.listVms().find((v) => v.vmid === 9000)?.pool).toBe('templates');
  });

  it('should propagate down the tree, stop at propagate=0, and let a deeper ACL (NoAccess) replace the inherited roles', async () => {
    expect((await perms(as(FULL), '/nodes/pve1'))['/nodes/pve1']).toMatchObject({ 'Sys.Audit': 1 });
    expect(await perms(as(FULL), '/nodes/pve3')).toEqual({ '/nodes/pve3': {} });
    expect((await perms(as(FULL), '/vms'))['/vms']).toMatchObject({ 'VM.Audit': 0 });
    expect((await rawRequest(as(FULL), 'GET', '/nodes/pve1/status')).status).toBe(200);
    expect((await rawRequest(as(FULL), 'GET', '/nodes/pve3/status')).reason).toBe('Permission check failed (/nodes/pve3, Sys.Audit)');
  });

  it("should give a privilege-separated token the intersection of its own and its user's ACLs, and an unseparated token the user's", async () => {
    // The token has no ACL on /pool/customers: its user's Owner role does not reach it.
    const clone = (t: RawTarget, newid: number) =>
      rawRequest(t, 'POST', '/nodes/pve1/qemu/9000/clone', { form: { newid, full: 1, pool: 'customers', storage: 'ceph' } });
    const refused = await clone(as(SEP), 700);
    expect([refused.status, refused.reason]).toEqual([403, 'Permission check failed']);
    const ok = await clone(as(FULL), 701);
    expect(ok.status).toBe(200);
    expect(String(ok.body?.data)).toMatch(/:qmclone:9000:alice@pve!full:$/);
    const bare = await rawRequest(as(BARE), 'GET', '/nodes/pve1/qemu/9000/config');
    expect([bare.status, bare.reason]).toEqual([403, 'Permission check failed (/vms/9000, VM.Audit)']);
    expect(await perms(as(BARE))).toEqual({});
  });

  it('should let a VM inherit its pool ACLs, check storage and bridges at clone, and list only what the caller may see', async () => {
    await new Promise((r) => setTimeout(r, 200));
    const cfg = await rawRequest(as(FULL), 'GET', '/nodes/pve1/qemu/701/config');
    expect(cfg.status).toBe(200);
    // alice may not use vmbr1: moving the NIC there is refused, naming the bridge
    const move = await rawRequest(as(FULL), 'PUT', '/nodes/pve1/qemu/701/config', { form: { net0: 'virtio,bridge=vmbr1' } });
    expect([move.status, move.reason]).toEqual([403, 'Permission check failed (/vms/701, VM.Config.Network)']);
    const onlyOptions = await rawRequest(as(FULL), 'PUT', '/nodes/pve1/qemu/701/config', { form: { cores: 4 } });
    expect(onlyOptions.reason).toBe('Permission check failed (/vms/701, VM.Config.CPU)');
    expect((await rawRequest(as(FULL), 'PUT', '/nodes/pve1/qemu/701/config', { form: { description: 'mine' } })).status).toBe(200);
    const elsewhere = await rawRequest(as(FULL), 'POST', '/nodes/pve1/qemu/9000/clone', {
      form: { newid: 702, full: 1, pool: 'customers', storage: 'local-lvm' },
    });
    expect(elsewhere.reason).toBe('Permission check failed (/storage/local-lvm, Datastore.AllocateSpace)');
    // the template's own bridge needs SDN.Use
    sim.faults.revoke('/sdn/zones/localnetwork/vmbr0', { users: ['alice@pve'] });
    const noBridge = await rawRequest(as(FULL), 'POST', '/nodes/pve1/qemu/9000/clone', {
      form: { newid: 702, full: 1, pool: 'customers', storage: 'ceph' },
    });
    expect(noBridge.reason).toBe('Permission check failed (/sdn/zones/localnetwork/vmbr0, SDN.Use)');
    sim.faults.grant({ path: '/sdn/zones/localnetwork/vmbr0', roleid: 'PVESDNUser', users: ['alice@pve'] });
    const resources = (await rawRequest(as(FULL), 'GET', '/cluster/resources')).body?.data as Array<{
      type: string;
      vmid?: number;
      storage?: string;
      pool?: string;
      maxmem?: number;
      node?: string;
    }>;
    expect(
      resources
        .filter((r) => r.type === 'qemu')
        .map((r) => r.vmid)
        .sort(),
    ).toEqual([701, 9000, 9001]);
    expect(resources.filter((r) => r.type === 'storage').map((r) => r.storage)).toEqual(['ceph', 'ceph', 'ceph']);
    expect(resources.filter((r) => r.type === 'node').map((r) => [r.node, r.maxmem !== undefined])).toEqual([
      ['pve1', true],
      ['pve2', true],
      ['pve3', false],
    ]);
    // no Pool.Audit: the pool field and pool entries are hidden
    expect(resources.some((r) => r.pool !== undefined || r.type === 'pool')).toBe(false);
    // root sees the pool entries, with ids as PVE writes them (an ACL path, leading slash)
    const rootPools = ((await rawRequest(root(), 'GET', '/cluster/resources?type=pool')).body?.data as Array<{ id: string; pool: string }>)
      .map((r) => [r.id, r.pool])
      .sort();
    expect(rootPools).toContainEqual(['/pool/customers', 'customers']);
    const effective = await perms(as(FULL));
    expect(Object.keys(effective)).toEqual(
      expect.arrayContaining(['/pool/customers', '/vms/701', '/vms/9000', '/storage/ceph', '/sdn/zones/localnetwork/vmbr0']),
    );
    expect(effective['/vms/701']).toMatchObject({ 'VM.Allocate': 0, 'VM.PowerMgmt': 0 });
    // someone else's permissions need Sys.Audit on /access; root may look
    expect((await rawRequest(as(FULL), 'GET', '/access/permissions?userid=bob%40pve')).reason).toBe(
      'Permission check failed (/access, Sys.Audit)',
    );
    expect(
      (
        (await rawRequest(root(), 'GET', `/access/permissions?userid=${encodeURIComponent(SEP.tokenId)}&path=/pool/templates`)).body
          ?.data as Record<string, unknown>
      )['/pool/templates'],
    ).toEqual({ 'VM.Audit': 1, 'VM.Clone': 1 });
  });

  it('should mask the cloud-init password in the user-data dump for a caller without VM.Config.Cloudinit', async () => {
    const set = await rawRequest(root(), 'PUT', '/nodes/pve1/qemu/701/config', { form: { ciuser: 'admin', cipassword: 'Rahasia-123' } });
    expect(set.status).toBe(200);
    const dump = async (t: RawTarget) => String((await rawRequest(t, 'GET', '/nodes/pve1/qemu/701/cloudinit/dump?type=user')).body?.data);
    const asRoot = await dump(root());
    const asOwner = await dump(as(FULL));
    expect(asOwner).toContain('user: admin\n');
    expect(asOwner).toContain('password: **********\n');
    expect(asOwner).not.toContain('Rahasia-123');
    expect(asRoot).not.toContain('password: **********');
    expect(asRoot.replace(/^password: .*$/m, 'password: **********')).toBe(asOwner);
  });

  it('should show a token only its own tasks unless it has Sys.Audit on the node', async () => {
    const upid = String((await rawRequest(root(), 'POST', '/nodes/pve1/qemu/9001/clone', { form: { newid: 703, full: 1 } })).body?.data);
    const foreign = await rawRequest(as(SEP), 'GET', `/nodes/pve1/tasks/${encodeURIComponent(upid)}/status`);
    expect([foreign.status, foreign.reason]).toEqual([403, 'Permission check failed (/nodes/pve1, Sys.Audit)']);
    expect((await rawRequest(as(FULL), 'GET', `/nodes/pve1/tasks/${encodeURIComponent(upid)}/status`)).status).toBe(200);
    const own = String(
      (
        await rawRequest(as(FULL), 'POST', '/nodes/pve1/qemu/9000/clone', {
          form: { newid: 704, full: 1, pool: 'customers', storage: 'ceph' },
        })
      ).body?.data,
    );
    const list = (await rawRequest(as(SEP), 'GET', '/nodes/pve1/tasks?source=all')).body?.data as Array<{ upid: string }>;
    expect(list).toEqual([]);
    expect(own).toMatch(/alice@pve!full/);
  });

  it('should mask a privilege everywhere with the deny-privilege fault, root included, until reset', async () => {
    sim.faults.denyPrivilege('VM.Audit');
    expect((await rawRequest(root(), 'GET', '/nodes/pve1/qemu/9000/config')).reason).toBe('Permission check failed (/vms/9000, VM.Audit)');
    sim.faults.reset();
    expect((await rawRequest(root(), 'GET', '/nodes/pve1/qemu/9000/config')).status).toBe(200);
  });
});
