import { DEFAULT_SERVICE_STANDARDS, type VpsRequestDto } from '@betang/core';
import type { RunView } from './live-request';
import { serviceClocks } from './service-clock';

const created = '2026-11-27T01:00:00.000Z';
const request = {
  status: 'submitted',
  createdAt: created,
  approvals: [],
  pendingLevel: { level: 1, name: { id: 'Operator', en: 'Operator' }, roles: ['operator'] },
} as unknown as VpsRequestDto;
const at = (minutes: number) => new Date(Date.parse(created) + minutes * 60_000).toISOString();
const step = (key: string, start: number, end: number | null) => ({
  key,
  status: end === null ? ('running' as const) : ('done' as const),
  attempt: 1,
  startedAt: at(start),
  finishedAt: end === null ? null : at(end),
  detail: null,
});

describe('serviceClocks', () => {
  it('should count approval time until now while a level is pending, and no provisioning time yet', () => {
    const clocks = serviceClocks(request, [], DEFAULT_SERVICE_STANDARDS, Date.parse(at(90)));
    expect(clocks.approval).toEqual({ elapsedMinutes: 90, targetMinutes: 24 * 60, done: false });
    expect(clocks.provisioning).toBeUndefined();
  });

  it('should stop the approval clock at the last decision and time provisioning from the first step to the last', () => {
    const approved = {
      ...request,
      status: 'active',
      pendingLevel: null,
      approvals: [{ level: 1, decision: 'approved', by: null, byName: 'Rina', role: 'operator', at: at(30), comment: null }],
    } as VpsRequestDto;
    const run: RunView = {
      id: 'r',
      kind: 'provision',
      status: 'succeeded',
      attempt: 1,
      progress: 100,
      currentStep: null,
      error: null,
      steps: [step('reserve', 31, 32), step('verify', 35, 41)],
    };
    const clocks = serviceClocks(approved, [run], { approvalHours: 0.25, provisioningMinutes: 60 }, Date.parse(at(500)));
    expect(clocks.approval).toEqual({ elapsedMinutes: 30, targetMinutes: 15, done: true });
    expect(clocks.provisioning).toEqual({ elapsedMinutes: 10, targetMinutes: 60, done: true });
  });

  it('should keep the provisioning clock running while the run is', () => {
    const run: RunView = {
      id: 'r',
      kind: null,
      status: 'running',
      attempt: 1,
      progress: 40,
      currentStep: 'clone',
      error: null,
      steps: [step('reserve', 31, 32), step('clone', 32, null)],
    };
    expect(serviceClocks(request, [run], DEFAULT_SERVICE_STANDARDS, Date.parse(at(40))).provisioning).toEqual({
      elapsedMinutes: 9,
      targetMinutes: 60,
      done: false,
    });
  });

  it('should stop the approval clock once the request leaves the waiting statuses, even before the next read of the request', () => {
    // The live stream cleared the level on the approval event; the status moved on to queued.
    const queued = {
      ...request,
      status: 'queued',
      pendingLevel: null,
      approvals: [{ level: 1, decision: 'approved', by: null, byName: 'Rina', role: 'operator', at: at(20), comment: null }],
    } as VpsRequestDto;
    expect(serviceClocks(queued, [], DEFAULT_SERVICE_STANDARDS, Date.parse(at(600))).approval).toEqual({
      elapsedMinutes: 20,
      targetMinutes: 24 * 60,
      done: true,
    });
  });

  it('should count an automatic approval as decided at submission and ignore decisions on later changes', () => {
    const auto = {
      ...request,
      status: 'active',
      pendingLevel: null,
      approvals: [{ level: 1, decision: 'approved', by: null, byName: 'Rina', role: 'operator', at: at(900), comment: null, runId: 'x' }],
    } as VpsRequestDto;
    expect(serviceClocks(auto, [], DEFAULT_SERVICE_STANDARDS, Date.parse(at(1000))).approval).toEqual({
      elapsedMinutes: 0,
      targetMinutes: 24 * 60,
      done: true,
    });
  });
});
