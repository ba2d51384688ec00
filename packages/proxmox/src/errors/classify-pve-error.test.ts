import { toApiError } from '../client/parse-response';
import { PveTaskFailedError, PveTaskTimeoutError } from '../tasks/pve-task-errors';
import { UpidParseError } from '../tasks/upid';
import { ZPveInt } from '../wire/coerce.schema';
import { InvalidSshKeyError } from '../wire/ssh-keys';
import { InvalidTagError } from '../wire/tags';
import { classifyPveError } from './classify-pve-error';
import type { PveErrorClass, PveErrorCode } from './pve-error-code';
import { PveTransportError } from './pve-transport-error';

type Row = [label: string, status: number, reason: string, kind: PveErrorClass, code: PveErrorCode];

// Each HTTP case runs twice: PVE 9 / late PVE 8 body (`message`) and old PVE 8 body ({data:null}).
const HTTP_CASES: Row[] = [
  ['VM locked by clone', 500, 'VM is locked (clone)', 'transient', 'vm-locked'],
  ['VM locked by backup', 500, 'VM is locked (backup)', 'transient', 'vm-locked'],
  ['config flock timeout', 500, "can't lock file '/var/lock/qemu-server/lock-101.conf' - got timeout", 'transient', 'lock-timeout'],
  ['agent not running', 500, 'QEMU guest agent is not running', 'transient', 'agent-not-running'],
  ['agent qmp timeout', 500, "VM 101 qmp command 'guest-ping' failed - got timeout", 'transient', 'agent-timeout'],
  ['no quorum', 500, 'cluster not ready - no quorum?', 'transient', 'no-quorum'],
  ['no worker upid', 500, 'got no worker upid - start worker failed', 'transient', 'no-worker'],
  [
    'proxy unreachable',
    595,
    'Errors during connection establishment, proxy handshake: Connection refused',
    'transient',
    'proxy-unreachable',
  ],
  [
    'proxy timeout',
    596,
    'Errors during TLS negotiation, request sending and header processing: Connection timed out',
    'transient',
    'proxy-timeout',
  ],
  ['proxy other', 598, 'proxy error', 'transient', 'proxy-error'],
  ['unknown 500', 500, 'something odd happened', 'transient', 'server-error'],
  ['503', 503, 'Service Unavailable', 'transient', 'server-error'],
  ['missing VM', 500, "Configuration file 'nodes/pve1/qemu-server/123.conf' does not exist", 'permanent', 'not-found'],
  ['unknown node', 500, "no such cluster node 'pve9'", 'permanent', 'not-found'],
  ['clone target exists', 500, 'unable to create VM 101: config file already exists', 'permanent', 'already-exists'],
  ['destroy running', 500, 'VM 101 is running - destroy failed', 'permanent', 'vm-state'],
  ['reboot stopped', 500, 'VM 101 not running', 'permanent', 'vm-state'],
  ['agent unconfigured', 500, 'No QEMU guest agent configured', 'permanent', 'agent-not-configured'],
  ['protection', 500, "can't remove VM 101 - protection mode enabled", 'permanent', 'protected'],
  ['bad ssh key', 500, 'SSH public key validation error', 'permanent', 'ssh-key-invalid'],
  ['linked clone storage', 500, "parameter 'storage' not allowed for linked clones", 'permanent', 'unsupported'],
  ['validation', 400, 'Parameter verification failed.', 'permanent', 'validation'],
  ['auth', 401, 'Authentication failed!', 'permanent', 'unauthorized'],
  ['no ticket', 401, 'No ticket', 'permanent', 'unauthorized'],
  ['privilege', 403, 'Permission check failed (/vms/123, VM.Allocate)', 'permanent', 'forbidden'],
  ['ticket only', 403, "URI '/access/x' not available with API token, need proper ticket.", 'permanent', 'ticket-only'],
  ['unknown route', 501, "Method 'GET /nodes/x/foo' not implemented", 'permanent', 'not-implemented'],
];

describe('classifyPveError', () => {
  describe.each(['pve9', 'pve8'] as const)('HTTP errors, %s body', (flavour) => {
    it.each(HTTP_CASES)('should classify %s', (_label, status, reason, kind, code) => {
      const body = flavour === 'pve9' ? { data: null, message: `${reason}\n` } : { data: null };
      const err = toApiError(status, reason, JSON.stringify(body), 'POST', '/nodes/{node}/qemu/{vmid}/config');
      expect(classifyPveError(err)).toEqual({ kind, code });
      expect(err.retryable).toBe(kind === 'transient');
      expect(err.message).toBe(reason);
    });
  });

  it('should see "already exists" in the 400 field map of nextid', () => {
    const err = toApiError(
      400,
      'Parameter verification failed.',
      JSON.stringify({ data: null, errors: { vmid: 'VM 123 already exists\n' } }),
      'GET',
      '/cluster/nextid',
    );
    expect(classifyPveError(err)).toEqual({ kind: 'permanent', code: 'already-exists' });
  });

  it.each([
    ['network', true, 'transient'],
    ['timeout', true, 'transient'],
    ['aborted', true, 'transient'],
    ['tls', false, 'permanent'],
    ['protocol', true, 'permanent'],
  ] as const)('should classify transport failure %s', (kind, maybeApplied, expected) => {
    const err = new PveTransportError({ kind, method: 'GET', pathTemplate: '/version', message: 'x', maybeApplied, attempts: 1 });
    expect(classifyPveError(err)).toEqual({ kind: expected, code: kind });
    const text = err.describe();
    expect(text.id).toContain('Proxmox');
    expect(text.id).not.toBe(text.en);
    expect(text.en).toContain('GET /version');
  });

  it.each([
    ["clone failed: can't lock file '/var/lock/pve-manager/pve-storage-local-lvm' - got timeout", 'transient', 'lock-timeout'],
    ["can't lock file '/var/lock/qemu-server/lock-10042.conf' - got timeout", 'transient', 'lock-timeout'],
    ["clone failed: cfs-lock 'storage-ceph' error: got lock request timeout", 'transient', 'lock-timeout'],
    ['VM is locked (clone)', 'transient', 'vm-locked'],
    ['unexpected status', 'transient', 'task-killed'],
    ['shrinking disks is not supported', 'permanent', 'unsupported'],
    ["disk 'scsi1' does not exist", 'permanent', 'not-found'],
    ['VM 101 already running', 'permanent', 'vm-state'],
    ['clone failed: some new storage failure', 'permanent', 'task-failed'],
  ] as const)('should classify task exit status %j', (exitstatus, kind, code) => {
    const err = new PveTaskFailedError({
      upid: 'UPID:pve1:00000001:00000002:00000003:qmclone:9000:root@pam:',
      node: 'pve1',
      taskType: 'qmclone',
      exitstatus,
      logTail: [],
    });
    expect(classifyPveError(err)).toEqual({ kind, code });
    expect(err.retryable).toBe(kind === 'transient');
  });

  it('should classify local validation and unreadable answers as permanent', () => {
    expect(classifyPveError(ZPveInt.safeParse('x').error)).toEqual({ kind: 'permanent', code: 'protocol' });
    expect(classifyPveError(new InvalidSshKeyError('x'))).toEqual({ kind: 'permanent', code: 'validation' });
    expect(classifyPveError(new InvalidTagError('x'))).toEqual({ kind: 'permanent', code: 'validation' });
    expect(classifyPveError(new UpidParseError('x'))).toEqual({ kind: 'permanent', code: 'protocol' });
  });

  it('should treat an expired wait as transient and foreign errors as permanent/unknown', () => {
    expect(classifyPveError(new PveTaskTimeoutError('UPID:x', 'running', 'deadline'))).toEqual({
      kind: 'transient',
      code: 'task-deadline',
    });
    expect(classifyPveError(new TypeError('bug'))).toEqual({ kind: 'permanent', code: 'unknown' });
    expect(classifyPveError('VM is locked (clone)')).toEqual({ kind: 'permanent', code: 'unknown' });
  });
});
