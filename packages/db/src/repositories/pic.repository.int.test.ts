import { Role } from '@betang/core';
import { createTestDatabase, makeCatalog, makeInstitution, makeRunningVm, makeUser, type TestDatabase } from '@betang/testkit';
import * as vmPicMigration from '../migrations/20261208T0900_vm_pic';
import { defaultPicOfRequest } from './pic.repository';
import { getVmByRequest, reserveVmRow } from './vm.repository';

jest.setTimeout(60_000);

/** Where a VM's first PIC comes from: the request's contact when it is a user of the institution, else the requester. */
describe('the PIC a VM starts with', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    await makeCatalog(t.db);
  });
  afterAll(() => t.drop());

  async function people() {
    const institution = await makeInstitution(t.db);
    const requester = await makeUser(t.db, { roles: [Role.InstitutionStaff], institutionId: institution.id });
    const contact = await makeUser(t.db, { roles: [Role.InstitutionStaff], institutionId: institution.id });
    const stranger = await makeUser(t.db, { roles: [Role.InstitutionStaff], institutionId: (await makeInstitution(t.db)).id });
    return { institution, requester, contact, stranger };
  }

  it('names the contact (e-mail matched without case) when they are an active user of the institution, else the requester', async () => {
    const p = await people();
    const byContact = await makeRunningVm(t.db, {
      institutionId: p.institution.id,
      requestedBy: p.requester.id,
      picUserId: null,
      contactEmail: p.contact.email.toUpperCase(),
    });
    expect(await defaultPicOfRequest(t.db, byContact.requestId)).toBe(p.contact.id);
    // A contact who is a user of another institution is not taken: the requester is.
    const foreign = await makeRunningVm(t.db, {
      institutionId: p.institution.id,
      requestedBy: p.requester.id,
      picUserId: null,
      contactEmail: p.stranger.email,
    });
    expect(await defaultPicOfRequest(t.db, foreign.requestId)).toBe(p.requester.id);
  });

  it('gives a new VM row its default PIC and keeps the PIC of a re-armed one', async () => {
    const p = await people();
    const vm = await makeRunningVm(t.db, {
      institutionId: p.institution.id,
      requestedBy: p.requester.id,
      picUserId: null,
      contactEmail: p.contact.email,
    });
    // A fresh row: take the request over (remove the VM row) and reserve it again.
    await t.db.deleteFrom('vms').where('id', '=', vm.vmId).execute();
    const reserved = await reserveVmRow(t.db, {
      requestId: vm.requestId,
      institutionId: p.institution.id,
      vmid: 777_001,
      name: vm.name,
      cores: 1,
      memoryMiB: 2048,
      diskGiB: 20,
    });
    expect((await getVmByRequest(t.db, vm.requestId))?.id).toBe(reserved.id);
    const row = await t.db.selectFrom('vms').select('picUserId').where('id', '=', reserved.id).executeTakeFirstOrThrow();
    expect(row.picUserId).toBe(p.contact.id);

    // A re-queued failed run re-arms the same row: whoever was named since stays named.
    await t.db.updateTable('vms').set({ picUserId: p.requester.id, state: 'failed' }).where('id', '=', reserved.id).execute();
    await reserveVmRow(t.db, {
      requestId: vm.requestId,
      institutionId: p.institution.id,
      vmid: 777_002,
      name: vm.name,
      cores: 1,
      memoryMiB: 2048,
      diskGiB: 20,
    });
    const rearmed = await t.db.selectFrom('vms').select(['picUserId', 'vmid']).where('id', '=', reserved.id).executeTakeFirstOrThrow();
    expect(rearmed).toEqual({ picUserId: p.requester.id, vmid: 777_002 });
  });

  it('backfills existing VMs in the migration the same way, leaving nobody when neither belongs to the institution', async () => {
    const p = await people();
    const byContact = await makeRunningVm(t.db, {
      institutionId: p.institution.id,
      requestedBy: p.requester.id,
      picUserId: null,
      contactEmail: p.contact.email,
    });
    const byRequester = await makeRunningVm(t.db, { institutionId: p.institution.id, requestedBy: p.requester.id, picUserId: null });
    const nobody = await makeRunningVm(t.db, { institutionId: p.institution.id, requestedBy: p.stranger.id, picUserId: null });
    await vmPicMigration.down(t.db);
    await vmPicMigration.up(t.db);
    const rows = await t.db
      .selectFrom('vms')
      .select(['id', 'picUserId'])
      .where('id', 'in', [byContact.vmId, byRequester.vmId, nobody.vmId])
      .execute();
    expect(Object.fromEntries(rows.map((r) => [r.id, r.picUserId]))).toEqual({
      [byContact.vmId]: p.contact.id,
      [byRequester.vmId]: p.requester.id,
      [nobody.vmId]: null,
    });
  });
});
