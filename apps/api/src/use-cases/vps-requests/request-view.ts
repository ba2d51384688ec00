import {
  adminUserForInstitution,
  DEFAULT_APPROVAL_POLICY,
  ZApprovalPolicy,
  approvalState,
  type VpsRequestDto,
} from '@betang/core';
import { findLatestRunOfRequest, getSetting, getVmByRequest, heldAddress, listApprovals, listRunSteps, type Executor, type VpsRequestRow } from '@betang/db';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * The whole picture of a request as the API returns it (docs/http-api.md): approvals with who
 * decided, the pending level, the reserved address, the latest run with its steps, and the VM.
 */
export async function loadRequestView(db: Executor, request: VpsRequestRow): Promise<VpsRequestDto> {
  const [approvals, run, vm, lease, policy, institution] = await Promise.all([
    listApprovals(db, request.id),
    findLatestRunOfRequest(db, request.id),
    getVmByRequest(db, request.id),
    heldAddress(db, request.id),
    getSetting(db, 'approval_policy', ZApprovalPolicy, DEFAULT_APPROVAL_POLICY),
    db.selectFrom('institutions').select('code').where('id', '=', request.institutionId).executeTakeFirstOrThrow(),
  ]);
  const steps = run ? await listRunSteps(db, run.id) : [];
  const resources = { cores: request.cores, memoryMiB: request.memoryMib, diskGiB: request.diskGib };
  const state = ['submitted', 'partially_approved'].includes(request.status) ? approvalState(policy, resources, approvals, () => 1) : undefined;
  const contact = request.contact as VpsRequestDto['contact'];
  return {
    id: request.id,
    institutionId: request.institutionId,
    status: request.status,
    statusReason: request.statusReason,
    hostname: request.hostname,
    templateId: request.templateId,
    presetId: request.presetId,
    resources,
    applicationId: request.applicationId,
    sshPublicKeys: request.sshPublicKeys,
    purpose: request.purpose,
    network: { publicAccess: request.publicAccess, ports: request.ports },
    contact,
    requestedBy: request.requestedBy,
    approvals: approvals.map((a) => ({ level: a.level, decision: a.decision, by: a.decidedBy, byName: a.decidedByName, role: a.role, at: a.decidedAt.toISOString(), comment: a.comment })),
    pendingLevel: state?.kind === 'pending' ? { level: state.level.level, name: state.level.name, roles: state.level.roles } : null,
    ipAddress: lease?.address ?? null,
    adminUser: adminUserForInstitution(institution.code),
    run: run
      ? {
          id: run.id,
          kind: run.kind as NonNullable<VpsRequestDto['run']>['kind'],
          status: run.status,
          attempt: run.attempt,
          progress: run.progress,
          currentStep: run.currentStep,
          steps: steps.map((s) => ({ key: s.key, status: s.status as 'pending', attempt: s.attempt, startedAt: iso(s.startedAt), finishedAt: iso(s.finishedAt), detail: s.detail })),
          error: run.errorMessage ? { code: run.errorCode, message: run.errorMessage, retryable: run.errorRetryable } : null,
        }
      : null,
    vm: vm ? { id: vm.id, node: vm.node, vmid: vm.vmid, ipAddress: lease?.address ?? null, state: vm.state } : null,
    createdAt: request.createdAt.toISOString(),
    updatedAt: request.updatedAt.toISOString(),
  };
}
