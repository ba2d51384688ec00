import type { AccessSpec, AclSpec } from '../access/access-control';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StateReader } from '../state/state-reader';
import type { Faults, RouteFaultInput } from './faults-controller';

type Body = Record<string, unknown>;
type AdminOp = (body: Body, arg: string | undefined) => unknown;

const num = (v: unknown, d?: number): number => (v === undefined ? (d ?? NaN) : Number(v));
const bool = (v: unknown, d: boolean): boolean => (v === undefined ? d : v === true || v === 1 || v === '1' || v === 'true');

function ops(faults: Faults, state: StateReader): Record<string, AdminOp> {
  return {
    'GET state/vms': () => state.listVms(),
    'GET state/vm': (_b, a) => state.vm(num(a)) ?? null,
    'GET state/tasks': () => state.tasks(),
    'GET guest/ssh': (_b, a) => state.guestSshEndpoint(num(a)) ?? null,
    'GET guest/commands': (_b, a) => state.guestCommands(a === undefined ? undefined : num(a)),
    'GET guest/host-key': (_b, a) => state.hostKey(num(a)) ?? null,
    // Files written into the guest (SFTP, the agent's file-write), as UTF-8 text by path.
    'GET guest/files': (_b, a) => Object.fromEntries([...state.guestFiles(num(a))].map(([path, data]) => [path, data.toString('utf8')])),
    'GET guest/qemu': (_b, a) => state.qemuGuest(num(a)) ?? null,
    'POST faults/route-error': (b) => ({ id: faults.addRouteError(b as unknown as RouteFaultInput) }),
    'DELETE faults/route-error': (_b, a) => faults.removeRouteError(num(a)),
    'POST faults/node-online': (b) => faults.setNodeOnline(String(b.node), bool(b.online, true)),
    // Answered first, then switched: the port asked to go down may be the one carrying this request.
    'POST faults/node-api': (b) => {
      const node = String(b.node);
      const up = bool(b.up, true);
      setTimeout(() => void faults.setNodeApi(node, up).catch(() => undefined), 20);
      return { node, up };
    },
    'POST faults/node-api-dies-after': (b) => faults.apiDiesAfter(String(b.node), String(b.method ?? 'POST'), String(b.path)),
    'POST faults/slow-tasks': (b) => faults.slowTasks(String(b.type ?? '*'), num(b.multiplier, 1)),
    'POST faults/storage-lock-timeout': (b) => faults.storageLockTimeout(String(b.storage), num(b.times, 1)),
    'POST faults/hold-vm-lock': (b) => (bool(b.held, true) ? faults.holdVmLock(num(b.vmid)) : faults.releaseVmLock(num(b.vmid))),
    'POST faults/agent-never-starts': (b) => faults.agentNeverStarts(b.vmid === '*' ? '*' : num(b.vmid), bool(b.on, true)),
    'POST faults/ignore-shutdown': (b) => faults.ignoreShutdown(b.vmid === '*' ? '*' : num(b.vmid), bool(b.on, true)),
    'POST faults/stale-clone-lock': (b) =>
      faults.staleCloneLock(num(b.times, 1), b.at === 'after-first-disk' ? 'after-first-disk' : 'placeholder'),
    'POST faults/config-lock': (b) =>
      faults.setConfigLock(num(b.vmid), b.lock === null || b.lock === undefined ? undefined : String(b.lock)),
    'POST faults/revoke-token': (b) => faults.revokeToken(String(b.tokenId), bool(b.revoked, true)),
    'POST faults/fill-storage': (b) =>
      faults.fillStorage(String(b.storage), b.node === undefined ? undefined : String(b.node), bool(b.full, true)),
    'POST faults/quorum': (b) => faults.setQuorum(bool(b.quorate, true)),
    'POST faults/no-worker-upid': (b) => faults.noWorkerUpid(num(b.times, 1)),
    'POST faults/deny-privilege': (b) => faults.denyPrivilege(String(b.priv), bool(b.denied, true)),
    'POST faults/reset': () => faults.reset(),
    'POST access/load': (b) => faults.loadAccess(b as AccessSpec),
    'POST access/acl': (b) => faults.grant(b as unknown as AclSpec),
    'DELETE access/acl': (b) =>
      faults.revoke(
        String(b.path),
        { users: b.users as string[] | undefined, tokens: b.tokens as string[] | undefined },
        b.roleid === undefined ? undefined : String(b.roleid),
      ),
    'POST access/role': (b) => faults.setRole(String(b.roleid), (b.privs as string[] | undefined) ?? []),
  };
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const buf = Buffer.from(JSON.stringify(body === undefined ? null : body));
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': buf.length });
  res.end(buf);
}

/**
 * Admin API under /_sim/ (cannot collide with PVE's /api2/...): `/_sim/<group>/<op>[/<arg>]`
 * with a JSON body. Unauthenticated by design — the simulator binds to loopback.
 */
export function createAdminHandler(
  faults: Faults,
  state: StateReader,
): (req: IncomingMessage, res: ServerResponse, path: string, body: string) => void {
  const table = ops(faults, state);
  return (req, res, path, body) => {
    const [group, op, arg] = path.replace(/^\/_sim\//, '').split('/');
    const fn = table[`${req.method ?? 'GET'} ${group}/${op}`];
    if (!fn) return reply(res, 404, { error: `unknown admin operation ${req.method} ${path}` });
    try {
      const parsed: unknown = body.trim() === '' ? {} : JSON.parse(body);
      reply(res, 200, { data: fn((parsed ?? {}) as Body, arg === undefined ? undefined : decodeURIComponent(arg)) ?? null });
    } catch (e) {
      reply(res, 400, { error: e instanceof Error ? e.message : String(e) });
    }
  };
}
