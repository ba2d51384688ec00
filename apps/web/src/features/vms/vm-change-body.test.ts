import { ZResizeBody, type VmDto } from '@betang/core';
import { changeValuesOf, localToIso, toChangeBody } from './vm-change-body';

const VM: VmDto = {
  id: '3f1b1a4e-0b5e-4d8c-9a57-0c2d8a1f7e01',
  requestId: '3f1b1a4e-0b5e-4d8c-9a57-0c2d8a1f7e02',
  institutionId: '3f1b1a4e-0b5e-4d8c-9a57-0c2d8a1f7e03',
  name: 'web1',
  node: null,
  vmid: 100_001,
  ipAddress: '10.0.0.5',
  state: 'running',
  cores: 2,
  memoryMiB: 4096,
  diskGiB: 20,
  ports: [80, 443],
  createdAt: '2026-12-01T00:00:00.000Z',
  retainedUntil: null,
  pendingDecommission: null,
};

describe('toChangeBody', () => {
  it('should send absolute sizes, ports only when they differ, and nothing else for "now"', () => {
    const values = { ...changeValuesOf(VM), diskGiB: '30' };
    expect(toChangeBody(values, VM)).toEqual({ cores: 2, memoryMiB: 4096, diskGiB: 30 });
    expect(toChangeBody({ ...values, ports: '443 80' }, VM)).toEqual({ cores: 2, memoryMiB: 4096, diskGiB: 30 });
    expect(toChangeBody({ ...values, ports: '80, 443, 8080' }, VM)).toMatchObject({ ports: [80, 443, 8080] });
    expect(toChangeBody({ ...values, ports: '' }, VM)).toMatchObject({ ports: [] });
  });

  it('should send the maintenance window as an ISO time with offset', () => {
    const body = toChangeBody({ ...changeValuesOf(VM), memoryGiB: '8', when: 'window', windowStart: '2026-12-12T22:00' }, VM);
    expect(body.applyAt).toBe(new Date('2026-12-12T22:00').toISOString());
    expect(ZResizeBody.safeParse(body).success).toBe(true);
  });

  it('should let the contract name what is wrong instead of dropping it', () => {
    const bad = toChangeBody(
      { ...changeValuesOf(VM), cores: 'dua', memoryGiB: '1.3', ports: '80, 445, 99999, http', when: 'window', windowStart: '' },
      VM,
    );
    const result = ZResizeBody.safeParse(bad);
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['cores', 'memoryMiB', 'ports.1', 'ports.2', 'ports.3', 'applyAt']));
    expect(localToIso('besok')).toBe('besok');
  });
});
