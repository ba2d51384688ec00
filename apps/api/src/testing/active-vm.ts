import type { Db } from '@betang/db';
import { testSshKey } from '@betang/testkit';
import type { SignedIn } from './api-harness';

/** Who submits and approves, and for which institution and application. */
export type ActiveVmParties = { db: Db; staff: SignedIn; operator: SignedIn; institutionId: string; applicationId: string };

/**
 * A small debian-12 request submitted by `staff` and approved by `operator` through the API,
 * then left as the worker leaves a finished provisioning: its run succeeded, a `running` VM row
 * of the request's size on pve1 with `vmid`, the request `active`. Throws (with the API's answer)
 * when the submission or the approval is refused, so a test never goes on with half a fixture.
 */
export async function activeVmThroughApi(
  p: ActiveVmParties,
  o: { hostname: string; vmid: number; purpose?: string; publicAccess?: boolean; ports?: number[] },
): Promise<{ vmId: string; requestId: string }> {
  const created = await p.staff.agent
    .post('/api/v1/vps-requests')
    .set('X-CSRF-Token', p.staff.csrfToken)
    .send({
      applicationId: p.applicationId,
      hostname: o.hostname,
      templateId: 'debian-12',
      presetId: 'small',
      sshPublicKeys: [testSshKey()],
      purpose: o.purpose ?? 'VM uji tindakan hari kedua',
      network: { publicAccess: o.publicAccess ?? false, ports: o.ports ?? [] },
      contact: { name: 'Budi', nip: '198501012010011001', phone: '0812555501', email: 'budi@kalteng.go.id' },
    });
  if (created.status !== 201) throw new Error(`submitting ${o.hostname}: ${created.status} ${JSON.stringify(created.body)}`);
  const approved = await p.operator.agent
    .post(`/api/v1/vps-requests/${created.body.id}/approve`)
    .set('X-CSRF-Token', p.operator.csrfToken)
    .send({});
  if (!approved.body?.run?.id) throw new Error(`approving ${o.hostname}: ${approved.status} ${JSON.stringify(approved.body)}`);
  const size = await p.db
    .selectFrom('vpsRequests')
    .select(['cores', 'memoryMiB', 'diskGiB'])
    .where('id', '=', created.body.id)
    .executeTakeFirstOrThrow();
  const vm = await p.db
    .insertInto('vms')
    .values({
      requestId: created.body.id,
      institutionId: p.institutionId,
      vmid: o.vmid,
      node: 'pve1',
      name: o.hostname,
      ...size,
      state: 'running',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await p.db
    .updateTable('provisioningRuns')
    .set({ status: 'succeeded', vmId: vm.id, progress: 100, finishedAt: new Date() })
    .where('id', '=', approved.body.run.id)
    .execute();
  await p.db.updateTable('vpsRequests').set({ status: 'active' }).where('id', '=', created.body.id).execute();
  return { vmId: vm.id, requestId: created.body.id };
}
