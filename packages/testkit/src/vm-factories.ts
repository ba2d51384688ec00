import { randomBytes } from 'node:crypto';
import type { Db } from '@betang/db';
import { makeApplication, testSshKey } from './request-factories';

/**
 * A running VM of `institutionId` as the worker leaves it (request `active`, VM row `running`),
 * requested by `requestedBy`, naming `picUserId` as its PIC (null: nobody). Needs the catalog
 * (makeCatalog). Each call makes its own request, application and random vmid.
 */
export async function makeRunningVm(
  db: Db,
  o: { institutionId: string; requestedBy: string; picUserId: string | null; name?: string; contactEmail?: string },
): Promise<{ vmId: string; requestId: string; name: string }> {
  const name = o.name ?? `srv-${randomBytes(3).toString('hex')}`;
  const applicationId = await makeApplication(db, o.institutionId);
  const request = await db
    .insertInto('vpsRequests')
    .values({
      institutionId: o.institutionId,
      applicationId,
      requestedBy: o.requestedBy,
      hostname: name,
      templateId: 'debian-12',
      cores: 1,
      memoryMiB: 2048,
      diskGiB: 20,
      sshPublicKeys: [testSshKey()],
      purpose: 'Server uji penanggung jawab',
      contact: JSON.stringify({
        name: 'Kontak Uji',
        nip: '198501012010011001',
        phone: '0812555501',
        email: o.contactEmail ?? 'kontak@uji.kalteng.go.id',
      }),
      status: 'active',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const vm = await db
    .insertInto('vms')
    .values({
      requestId: request.id,
      institutionId: o.institutionId,
      vmid: 100_000 + Math.floor(Math.random() * 800_000),
      node: 'pve1',
      name,
      cores: 1,
      memoryMiB: 2048,
      diskGiB: 20,
      state: 'running',
      picUserId: o.picUserId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { vmId: vm.id, requestId: request.id, name };
}
