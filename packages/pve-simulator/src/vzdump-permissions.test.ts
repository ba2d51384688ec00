import { DEFAULT_TOKEN_ID, DEFAULT_TOKEN_SECRET } from './options';
import { startSimulator, type RunningSimulator } from './simulator';
import { rawRequest, type RawParamValue, type RawTarget } from './testing/raw-client';

// Each caller holds one shape of rights on the PBS datastore and the guests.
const BACKUP = { tokenId: 'backup@pve!t', secret: '11111111-2222-4333-8444-555555555555', privsep: false };
const ALLOC = { tokenId: 'alloc@pve!t', secret: '66666666-7777-4888-9999-aaaaaaaaaaaa', privsep: false };
const AUDIT = { tokenId: 'audit@pve!t', secret: 'bbbbbbbb-cccc-4ddd-8eee-ffffffffffff', privsep: false };

type Backup = { volid: string; vmid: number };

describe('vzdump and backup storage: the permission checks of PVE 9.1', () => {
  let sim: RunningSimulator;
  const as =
    (t: { tokenId: string; secret: string }) =>
    (method: string, path: string, form: Record<string, RawParamValue> = {}) =>
      rawRequest({ url: sim.url, caPem: sim.caPem, tokenId: t.tokenId, tokenSecret: t.secret } satisfies RawTarget, method, path, {
        form,
      });
  const root = as({ tokenId: DEFAULT_TOKEN_ID, secret: DEFAULT_TOKEN_SECRET });
  const wait = async (upid: string): Promise<string | undefined> => {
    for (;;) {
      const d = (await root('GET', `/nodes/pve1/tasks/${encodeURIComponent(upid)}/status`)).body?.data as
        { status: string; exitstatus?: string } | undefined;
      if (d?.status === 'stopped') return d.exitstatus;
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const backupsOf = async (caller = root): Promise<Backup[]> =>
    (await caller('GET', '/nodes/pve1/storage/pbs/content', { content: 'backup' })).body?.data as Backup[];
  const backUp = async (vmid: number): Promise<void> => {
    const r = await root('POST', '/nodes/pve1/vzdump', { vmid: String(vmid), storage: 'pbs' });
    expect(await wait(r.body?.data as string)).toBe('OK');
    // one second apart so the PBS snapshot names differ
    await new Promise((res) => setTimeout(res, 1100));
  };

  beforeAll(async () => {
    sim = await startSimulator({
      timeFactor: 0,
      authFailureDelayMs: 0,
      tokens: [{ tokenId: DEFAULT_TOKEN_ID, secret: DEFAULT_TOKEN_SECRET, privsep: false }, BACKUP, ALLOC, AUDIT],
      access: {
        roles: {
          Backup: ['VM.Backup'],
          BackupSpace: ['Datastore.AllocateSpace'],
          StoreAdmin: ['Datastore.Allocate', 'Datastore.AllocateSpace', 'Datastore.Audit'],
          StoreAudit: ['Datastore.Audit'],
        },
        acls: [
          { path: '/vms/101', roleid: 'Backup', users: ['backup@pve'] },
          { path: '/vms/102', roleid: 'Backup', users: ['backup@pve'] },
          { path: '/storage/pbs', roleid: 'BackupSpace', users: ['backup@pve'] },
          { path: '/storage/pbs', roleid: 'StoreAdmin', users: ['alloc@pve'] },
          { path: '/storage/pbs', roleid: 'StoreAudit', users: ['audit@pve'] },
        ],
      },
    });
    for (const newid of [101, 103]) {
      const r = await root('POST', '/nodes/pve1/qemu/9000/clone', { newid, full: 1, storage: 'ceph' });
      expect(await wait(r.body?.data as string)).toBe('OK');
    }
  });
  afterAll(() => sim.close());

  it('should check VM.Backup inside the vzdump worker: the task fails before any backup, or `all` skips the guest', async () => {
    const r = await as(BACKUP)('POST', '/nodes/pve1/vzdump', { vmid: '103', storage: 'pbs' });
    expect(r.status).toBe(200);
    expect(await wait(r.body?.data as string)).toBe('Permission check failed (/vms/103, VM.Backup)');
    const all = await as(BACKUP)('POST', '/nodes/pve1/vzdump', { all: 1, storage: 'pbs' });
    expect(await wait(all.body?.data as string)).toBe('OK');
    expect((await backupsOf()).map((b) => b.vmid)).toEqual([101]);
    await new Promise((res) => setTimeout(res, 1100));
  });

  it('should refuse before the worker without Datastore.AllocateSpace on the target storage, naming it', async () => {
    const r = await as(BACKUP)('POST', '/nodes/pve1/vzdump', { vmid: '101', storage: 'local' });
    expect(r.status).toBe(403);
    expect(r.reason).toBe('Permission check failed (/storage/local, Datastore.AllocateSpace)');
    // an unnamed storage is 'local', checked the same way
    expect((await as(BACKUP)('POST', '/nodes/pve1/vzdump', { vmid: '101' })).reason).toBe(
      'Permission check failed (/storage/local, Datastore.AllocateSpace)',
    );
  });

  it('should want Datastore.Allocate for prune-backups and Sys.Modify on / for ionice or bwlimit, before verifying anything else', async () => {
    const prune = await as(BACKUP)('POST', '/nodes/pve1/vzdump', { vmid: '101', storage: 'pbs', 'prune-backups': 'keep-last=1' });
    expect(prune.status).toBe(403);
    expect(prune.reason).toBe('Permission check failed (/storage/pbs, Datastore.Allocate)');
    const ionice = await as(BACKUP)('POST', '/nodes/pve1/vzdump', { vmid: '101', storage: 'pbs', ionice: 7 });
    expect(ionice.reason).toBe('Permission check failed (/, Sys.Modify)');
    const bwlimit = await as(BACKUP)('POST', '/nodes/pve1/vzdump', { vmid: '101', storage: 'pbs', bwlimit: 1000 });
    expect(bwlimit.reason).toBe('Permission check failed (/, Sys.Modify)');
  });

  it("should list only the backups the caller may use: Datastore.Allocate sees all, else AllocateSpace and the guest's VM.Backup", async () => {
    await backUp(103);
    expect((await backupsOf(as(ALLOC))).map((b) => b.vmid).sort()).toEqual([101, 103]);
    expect((await backupsOf(as(BACKUP))).map((b) => b.vmid)).toEqual([101]);
    const audit = await as(AUDIT)('GET', '/nodes/pve1/storage/pbs/content', { content: 'backup' });
    expect(audit.status).toBe(200);
    expect(audit.body?.data).toEqual([]);
    const none = await as(BACKUP)('GET', '/nodes/pve1/storage/local/content');
    expect(none.reason).toBe('Permission check failed (/storage/local, Datastore.Audit|Datastore.AllocateSpace)');
  });

  it('should delete a backup volume only with AllocateSpace on the storage and VM.Backup on its guest, Datastore.Allocate or not', async () => {
    const [mine] = (await backupsOf()).filter((b) => b.vmid === 101);
    const path = `/nodes/pve1/storage/pbs/content/${encodeURIComponent(mine!.volid)}`;
    const byAdmin = await as(ALLOC)('DELETE', path);
    expect(byAdmin.status).toBe(403);
    expect(byAdmin.reason).toBe('Permission check failed (/vms/101, VM.Backup)');
    // refused before PVE looks at the volume, so a missing one reads the same
    expect(
      (await as(AUDIT)('DELETE', `/nodes/pve1/storage/pbs/content/${encodeURIComponent('pbs:backup/vm/101/2001-01-01T00:00:00Z')}`)).reason,
    ).toBe('Permission check failed (/storage/pbs, Datastore.AllocateSpace)');
    const own = await as(BACKUP)('DELETE', path);
    expect(own.body?.data).toMatch(/:imgdel:101@pbs:backup@pve!t:$/);
    expect(await wait(own.body?.data as string)).toBe('OK');
    expect((await backupsOf()).map((b) => b.vmid)).toEqual([103]);
  });

  it("should prune one guest's backups with AllocateSpace and VM.Backup, and all of a storage's only with Datastore.Allocate", async () => {
    const q = { 'prune-backups': 'keep-last=1', type: 'qemu' };
    const adminOne = await as(ALLOC)('DELETE', '/nodes/pve1/storage/pbs/prunebackups', { ...q, vmid: 103 });
    expect(adminOne.reason).toBe('Permission check failed (/vms/103, VM.Backup)');
    const mineAll = await as(BACKUP)('DELETE', '/nodes/pve1/storage/pbs/prunebackups', q);
    expect(mineAll.reason).toBe('Permission check failed (/storage/pbs, Datastore.Allocate)');
    const mineOne = await as(BACKUP)('DELETE', '/nodes/pve1/storage/pbs/prunebackups', { ...q, vmid: 101 });
    expect(mineOne.body?.data).toMatch(/:prunebackups:101@pbs:backup@pve!t:$/);
    expect(await wait(mineOne.body?.data as string)).toBe('OK');
    const adminAll = await as(ALLOC)('DELETE', '/nodes/pve1/storage/pbs/prunebackups', q);
    expect(adminAll.body?.data).toMatch(/:prunebackups:pbs:alloc@pve!t:$/);
    expect(await wait(adminAll.body?.data as string)).toBe('OK');
  });

  it('should let VM.Backup restore only over the existing VM with force (disks only with AllocateSpace on their storage), and refuse a new vmid (create_vm)', async () => {
    const r = await root('POST', '/nodes/pve1/vzdump', { vmid: '101', storage: 'pbs' });
    expect(await wait(r.body?.data as string)).toBe('OK');
    const volid = (await backupsOf()).filter((b) => b.vmid === 101).at(-1)!.volid;
    // a new vmid wants VM.Allocate
    const fresh = await as(BACKUP)('POST', '/nodes/pve1/qemu', { vmid: 150, archive: volid });
    expect(fresh.status).toBe(403);
    // without force the existing VM is not overwritten, and that is a permission matter first
    expect((await as(BACKUP)('POST', '/nodes/pve1/qemu', { vmid: 101, archive: volid })).status).toBe(403);
    const over = await as(BACKUP)('POST', '/nodes/pve1/qemu', { vmid: 101, archive: volid, force: 1 });
    expect(over.status).toBe(200);
    // the restore worker allocates the disks only with Datastore.AllocateSpace on their storage
    // (parse_backup_hints, per target storage): this caller has none on ceph
    expect(await wait(over.body?.data as string)).toBe('Permission check failed (/storage/ceph, Datastore.AllocateSpace)');
    // checked while the archive's header is read: the VM keeps its disks
    const kept = (await root('GET', '/nodes/pve1/qemu/101/config')).body?.data as Record<string, string>;
    expect(kept.scsi0).toMatch(/^ceph:vm-101-disk-/);
    // the archive of a guest the caller may not back up is refused on check_volume_access
    const other = await root('POST', '/nodes/pve1/vzdump', { vmid: '103', storage: 'pbs' });
    expect(await wait(other.body?.data as string)).toBe('OK');
    const foreign = (await backupsOf()).filter((b) => b.vmid === 103).at(-1)!.volid;
    const refused = await as(BACKUP)('POST', '/nodes/pve1/qemu', { vmid: 101, archive: foreign, force: 1 });
    expect(refused.status).toBe(403);
    expect(refused.reason).toBe('Permission check failed (/vms/103, VM.Backup)');
  });
});
