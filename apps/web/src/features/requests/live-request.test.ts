import type { RequestEvent, VpsRequestDto } from '@betang/core';
import { applyEvent, fromSnapshot, isSuperseded, withPendingLevel, withPublicEndpoint } from './live-request';

const REQUEST: VpsRequestDto = {
  id: '00000000-0000-4000-8000-000000000001',
  institutionId: '00000000-0000-4000-8000-000000000002',
  status: 'submitted',
  statusReason: null,
  hostname: 'sipd-web-01',
  templateId: 'debian-12',
  presetId: 'medium',
  resources: { cores: 2, memoryMiB: 4096, diskGiB: 40 },
  applicationId: '00000000-0000-4000-8000-000000000003',
  sshPublicKeys: [],
  purpose: 'Server web aplikasi',
  network: { publicAccess: false, ports: [443] },
  contact: { name: 'Budi', nip: '198703152010011002', phone: '0812', email: 'b@x.id' },
  requestedBy: '00000000-0000-4000-8000-000000000004',
  approvals: [],
  pendingLevel: { level: 1, name: { id: 'Operator', en: 'Operator' }, roles: ['operator'] },
  adminUser: 'biro-adpim',
  ipAddress: null,
  run: null,
  vm: null,
  createdAt: '2026-11-27T01:00:00.000Z',
  updatedAt: '2026-11-27T01:00:00.000Z',
};
const RUN = '00000000-0000-4000-8000-0000000000aa';
const base = { requestId: REQUEST.id, at: '2026-11-27T02:00:00.000Z' };

function ev(id: number, event: Omit<RequestEvent, 'id' | 'requestId' | 'at'>): RequestEvent {
  return { ...base, id, ...event } as RequestEvent;
}

describe('applyEvent', () => {
  it('should follow a request from approval to active with its address, in event order', () => {
    let state = fromSnapshot(REQUEST, 10);
    const events: RequestEvent[] = [
      ev(11, {
        kind: 'approval',
        data: { approvalId: 'a', level: 1, decision: 'approved', by: 'u', byName: 'Rina', role: 'operator', comment: 'ok', at: base.at },
      }),
      ev(12, { kind: 'request.status', data: { status: 'queued', previousStatus: 'submitted', statusReason: null } }),
      ev(13, {
        kind: 'run',
        data: { runId: RUN, kind: 'provision', status: 'running', attempt: 1, progress: 10, currentStep: 'clone', error: null },
      }),
      ev(14, {
        kind: 'run.step',
        data: { runId: RUN, key: 'clone', position: 3, status: 'running', attempt: 1, startedAt: base.at, finishedAt: null, detail: null },
      }),
      ev(15, {
        kind: 'run.step',
        data: {
          runId: RUN,
          key: 'reserve',
          position: 1,
          status: 'done',
          attempt: 1,
          startedAt: base.at,
          finishedAt: base.at,
          detail: null,
        },
      }),
      ev(16, { kind: 'address', data: { allocationId: 'x', address: '10.60.0.10', held: true, vmId: null, releaseReason: null } }),
      ev(17, {
        kind: 'vm',
        data: { vmId: '00000000-0000-4000-8000-0000000000bb', state: 'running', node: 'pve1', vmid: 100100, name: 'sipd-web-01' },
      }),
      ev(18, { kind: 'request.status', data: { status: 'active', previousStatus: 'provisioning', statusReason: null } }),
    ];
    for (const event of events) state = applyEvent(state, event);
    expect(state.request.status).toBe('active');
    expect(state.request.approvals).toHaveLength(1);
    expect(state.request.vm).toEqual({
      id: '00000000-0000-4000-8000-0000000000bb',
      node: 'pve1',
      vmid: 100100,
      state: 'running',
      ipAddress: '10.60.0.10',
      hostKeyFingerprint: null,
      publicEndpoint: null,
    });
    // The public endpoint is read again once active (events never carry it), and a later VM event keeps it.
    const endpoint = { mechanism: 'nat' as const, publicAddress: '203.0.113.10', ports: [443], openPorts: [443], probedAt: base.at };
    state = withPublicEndpoint(state, endpoint);
    expect(state.request.vm?.publicEndpoint).toEqual(endpoint);
    state = applyEvent(
      state,
      ev(19, {
        kind: 'vm',
        data: { vmId: '00000000-0000-4000-8000-0000000000bb', state: 'stopped', node: 'pve1', vmid: 100100, name: 'sipd-web-01' },
      }),
    );
    expect(state.request.vm).toMatchObject({ state: 'stopped', publicEndpoint: endpoint });
    expect(withPublicEndpoint(state, undefined)).toBe(state);
    expect(state.runs).toHaveLength(1);
    expect(state.runs[0]!.steps.map((s) => s.key)).toEqual(['reserve', 'clone']);
    expect(state.request.run?.id).toBe(RUN);
    expect(state.lastEventId).toBe(19);
  });

  it('should ignore an event it already applied (a repeated delivery changes nothing)', () => {
    const approval = ev(11, {
      kind: 'approval',
      data: { approvalId: 'a', level: 1, decision: 'approved', by: 'u', byName: 'Rina', role: 'operator', comment: null, at: base.at },
    });
    const once = applyEvent(fromSnapshot(REQUEST, 10), approval);
    expect(applyEvent(once, approval)).toBe(once);
    expect(applyEvent(fromSnapshot(REQUEST, 11), approval).request.approvals).toHaveLength(0);
  });

  it('should clear the address when it is released and start over from a new snapshot', () => {
    let state = applyEvent(
      fromSnapshot({ ...REQUEST, ipAddress: '10.60.0.10' }, 1),
      ev(2, { kind: 'address', data: { allocationId: 'x', address: '10.60.0.10', held: false, vmId: null, releaseReason: 'cancelled' } }),
    );
    expect(state.request.ipAddress).toBeNull();
    state = applyEvent(state, ev(3, { kind: 'snapshot', data: { ...REQUEST, status: 'cancelled' } }));
    expect(state.request.status).toBe('cancelled');
    expect(state.lastEventId).toBe(3);
  });

  it('should take the kind of a snapshot run from the API', () => {
    const step = { key: 'destroy', status: 'done' as const, attempt: 1, startedAt: null, finishedAt: null, detail: null };
    const run = {
      id: RUN,
      kind: 'decommission' as const,
      status: 'running' as const,
      attempt: 1,
      progress: 40,
      currentStep: 'destroy',
      steps: [step],
      error: null,
    };
    expect(fromSnapshot({ ...REQUEST, run }).runs[0]!.kind).toBe('decommission');
  });

  it('should keep the whole history: provisioning from the snapshot, then a power run and the VM stopping live', () => {
    const provision = {
      id: RUN,
      kind: 'provision' as const,
      status: 'succeeded' as const,
      attempt: 1,
      progress: 100,
      currentStep: null,
      error: null,
      steps: [],
    };
    const vm = {
      id: '00000000-0000-4000-8000-0000000000bb',
      node: null,
      vmid: 101,
      ipAddress: '10.0.0.5',
      state: 'running' as const,
      hostKeyFingerprint: 'SHA256:abc',
    };
    let state = fromSnapshot({ ...REQUEST, status: 'active', run: provision, runs: [provision], vm }, 20);
    const STOP = '00000000-0000-4000-8000-0000000000cc';
    state = applyEvent(
      state,
      ev(21, {
        kind: 'run',
        data: { runId: STOP, kind: 'stop', status: 'running', attempt: 1, progress: 40, currentStep: 'power', error: null },
      }),
    );
    state = applyEvent(state, ev(22, { kind: 'vm', data: { vmId: vm.id, state: 'stopped', node: null, vmid: 101, name: 'sipd-web-01' } }));
    state = applyEvent(
      state,
      ev(23, {
        kind: 'run',
        data: { runId: STOP, kind: 'stop', status: 'succeeded', attempt: 1, progress: 100, currentStep: null, error: null },
      }),
    );
    expect(state.runs.map((r) => [r.kind, r.status])).toEqual([
      ['provision', 'succeeded'],
      ['stop', 'succeeded'],
    ]);
    expect(state.request.runs?.map((r) => r.id)).toEqual([RUN, STOP]);
    expect(state.request.run?.id).toBe(STOP);
    // The fingerprint is not in the vm event (host keys never are): it stays from the snapshot.
    expect(state.request.vm).toMatchObject({ state: 'stopped', hostKeyFingerprint: 'SHA256:abc', ipAddress: '10.0.0.5' });
  });

  it('should clear the waiting level on its approval and once the request leaves the waiting statuses', () => {
    const approval = ev(11, {
      kind: 'approval',
      data: { approvalId: 'a', level: 1, decision: 'approved', by: 'u', byName: 'Rina', role: 'operator', comment: null, at: base.at },
    });
    expect(applyEvent(fromSnapshot(REQUEST, 10), approval).request.pendingLevel).toBeNull();
    const twoLevels = { ...REQUEST, pendingLevel: { level: 2, name: { id: 'Kepala', en: 'Head' }, roles: ['dc_head'] } };
    // An approval of an earlier level leaves the waiting one alone.
    expect(applyEvent(fromSnapshot(twoLevels as VpsRequestDto, 10), approval).request.pendingLevel?.level).toBe(2);
    const cancelled = applyEvent(
      fromSnapshot(REQUEST, 10),
      ev(12, { kind: 'request.status', data: { status: 'cancelled', previousStatus: 'submitted', statusReason: 'tidak jadi' } }),
    );
    expect(cancelled.request.pendingLevel).toBeNull();
    expect(cancelled.request.statusReason).toBe('tidak jadi');
  });

  it('should take the next waiting level from a fresh read only while it agrees with the state', () => {
    const partly = applyEvent(
      fromSnapshot(REQUEST, 10),
      ev(12, { kind: 'request.status', data: { status: 'partially_approved', previousStatus: 'submitted', statusReason: null } }),
    );
    const level2 = { level: 2, name: { id: 'Kepala', en: 'Head' }, roles: ['dc_head'] } as VpsRequestDto['pendingLevel'];
    expect(withPendingLevel(partly, { ...partly.request, pendingLevel: level2 }).request.pendingLevel).toEqual(level2);
    // A read from before the status moved on changes nothing.
    expect(withPendingLevel(partly, { ...REQUEST, pendingLevel: level2 }).request.pendingLevel).toBe(partly.request.pendingLevel);
  });

  it('should mark a failed run followed by another of its kind as superseded, and nothing else', () => {
    const run = (id: string, status: 'failed' | 'succeeded', kind: 'provision' | 'reboot' = 'provision') => ({
      id,
      kind,
      status,
      attempt: 1,
      progress: 0,
      currentStep: null,
      error: null,
      steps: [],
    });
    const runs = [run('a', 'failed'), run('b', 'failed', 'reboot'), run('c', 'succeeded')];
    expect(runs.map((_, i) => isSuperseded(runs, i))).toEqual([true, false, false]);
  });
});
