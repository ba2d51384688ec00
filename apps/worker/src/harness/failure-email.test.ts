import { failureEmail } from './failure-email';
import type { RunFailure } from './run-definition';

const failure: RunFailure = {
  code: 'PVE_TASK_FAILED',
  step: 'destroy',
  text: { id: 'Tugas Proxmox gagal', en: 'The Proxmox task failed' },
  retryable: true,
};

describe('failureEmail', () => {
  it('names what the failed run was doing, in both languages', () => {
    const provision = failureEmail(['op@dc.go.id'], 'provision', 'sipd-web-01', 'req-1', 'run-1', failure);
    const decommission = failureEmail(['op@dc.go.id'], 'decommission', 'sipd-web-01', 'req-1', 'run-2', failure);
    expect(provision?.subject).toEqual({ id: 'Provisioning VPS sipd-web-01 gagal', en: 'Provisioning VPS sipd-web-01 failed' });
    expect(decommission?.subject).toEqual({ id: 'Menghapus VPS sipd-web-01 gagal', en: 'Decommissioning VPS sipd-web-01 failed' });
    expect(decommission?.text.id).toContain('Kode: PVE_TASK_FAILED');
    expect(decommission?.reason).toBe('provisioning_run:run-2:failed');
  });

  it('writes nothing when there is no operator to tell', () => {
    expect(failureEmail([], 'reboot', 'sipd-web-01', 'req-1', 'run-3', failure)).toBeUndefined();
  });
});
