import { GuestError, GuestErrorCode, HostKeyMismatchError } from '@betang/guest';
import { PveApiError, PveTaskFailedError } from '@betang/proxmox';
import { classifyError } from './classify-error';
import { permanent, transient } from './run-error';

describe('classifyError', () => {
  it('should keep the decision of RunError and GuestError', () => {
    expect(classifyError(transient('X', { id: 'a', en: 'b' }))).toEqual({ retryable: true, code: 'X', text: { id: 'a', en: 'b' } });
    expect(classifyError(permanent('Y', { id: 'a', en: 'b' })).retryable).toBe(false);
    expect(classifyError(new GuestError(GuestErrorCode.ConnectFailed, { id: 'x', en: 'y' }, true))).toMatchObject({
      retryable: true,
      code: 'GUEST_CONNECT_FAILED',
    });
    expect(classifyError(new HostKeyMismatchError('10.0.0.5', 'SHA256:a', 'SHA256:b'))).toMatchObject({
      retryable: false,
      code: 'GUEST_HOST_KEY_MISMATCH',
    });
  });

  it('should classify Proxmox errors through classifyPveError with bilingual texts', () => {
    const offline = new PveApiError(
      { status: 595, reason: 'No route to host', message: 'No route to host', method: 'GET', pathTemplate: '/nodes/{node}/status' },
      true,
    );
    expect(classifyError(offline)).toMatchObject({ retryable: true, code: 'PVE_PROXY_UNREACHABLE' });
    const missing = new PveApiError(
      {
        status: 500,
        reason: 'Configuration file does not exist',
        message: "Configuration file 'nodes/pve1/qemu-server/9000.conf' does not exist",
        method: 'POST',
        pathTemplate: '/nodes/{node}/qemu/{vmid}/clone',
      },
      false,
    );
    const c = classifyError(missing);
    expect(c).toMatchObject({ retryable: false, code: 'PVE_NOT_FOUND' });
    expect(c.text.id.length).toBeGreaterThan(0);
    expect(c.text.en).toContain('does not exist');
    const task = new PveTaskFailedError({
      upid: 'UPID:pve1:0000A1B2:00C0FFEE:6745A1B2:qmclone:9000:root@pam!betang:',
      node: 'pve1',
      taskType: 'qmclone',
      exitstatus: 'clone failed: unable to allocate image',
      logTail: [],
    });
    expect(classifyError(task).retryable).toBe(false);
  });

  it('should retry lost database connections but not bugs', () => {
    expect(classifyError(Object.assign(new Error('terminating connection'), { code: '57P01' })).retryable).toBe(true);
    expect(classifyError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })).retryable).toBe(true);
    expect(classifyError(Object.assign(new Error('duplicate key'), { code: '23505' })).retryable).toBe(false);
    expect(classifyError(new TypeError('x is undefined'))).toMatchObject({ retryable: false, code: 'INTERNAL' });
    expect(classifyError('a string')).toMatchObject({ retryable: false, code: 'INTERNAL' });
  });

  it("should retry node-postgres's codeless connection losses, and only those messages", () => {
    for (const message of [
      'Connection terminated unexpectedly',
      'Connection terminated',
      'Connection terminated due to connection timeout',
      'Client has encountered a connection error and is not queryable',
      'timeout exceeded when trying to connect',
    ])
      expect(classifyError(new Error(message))).toMatchObject({ retryable: true, code: 'INFRASTRUCTURE' });
    expect(classifyError(new Error('Connection terminated unexpectedly while parsing my JSON'))).toMatchObject({ code: 'INTERNAL' });
    expect(classifyError(new Error('clone of Connection terminated'))).toMatchObject({ code: 'INTERNAL' });
  });
});
