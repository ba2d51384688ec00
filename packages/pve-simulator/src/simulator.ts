import { AccessControl } from './access/access-control';
import { routePermissions } from './access/route-permissions';
import { AuthService } from './auth/auth-service';
import { createAdminHandler } from './faults/admin-api';
import { emptyFaultState } from './faults/fault-state';
import { Faults } from './faults/faults-controller';
import { GuestHub } from './guest/guest-hub';
import { ensureGuestImage, guestImageAt, QemuGuests } from './guest/qemu/qemu-guests';
import type { SimulatorOptions } from './options';
import { resolveOptions } from './options';
import { allRoutes } from './routes';
import { createRequestListener } from './server/http-server';
import { TermProxies } from './console/termproxy';
import { createUpgradeListener } from './console/ws-upgrade';
import type { NodeEndpoint } from './server/node-apis';
import { NodeApis } from './server/node-apis';
import type { Sim, Terminals } from './sim-context';
import { handMadeEstate, seedEstate } from './state/estate';
import { ClusterState } from './state/cluster-state';
import { persistClusterTo } from './state/persistence';
import { broadcastRrd } from './state/rrd';
import { StateReader } from './state/state-reader';
import { FlockTable } from './tasks/flock';
import { TaskManager } from './tasks/task-manager';
import { cachedSelfSigned } from './tls/self-signed';
import { createClock } from './util/clock';
import { createRng } from './util/rng';

/** A started simulator. */
export interface RunningSimulator {
  /** `https://127.0.0.1:PORT` (no trailing slash, no /api2/json): the first node's API. */
  url: string;
  /**
   * Each node's own API address (with `apiPerNode`; otherwise only the first node's), all serving
   * the same cluster. `faults.setNodeApi(node, false)` takes one down.
   */
  endpoints: NodeEndpoint[];
  host: string;
  port: number;
  /** `user@realm!tokenid` of the first configured token. */
  tokenId: string;
  tokenSecret: string;
  /** Ticket-login user and password (first configured user). */
  username: string;
  password: string;
  /** PEM of the self-signed certificate (use as CA). */
  caPem: string;
  /** SHA-256 colon-hex fingerprint, as PVE shows `ssl_fingerprint`. */
  fingerprint: string;
  flavour: 'pve8' | 'pve9';
  faults: Faults;
  state: StateReader;
  /** With `stateFile`: how many VMs were loaded from it, and the vmids it had on unknown nodes. */
  restored: { vms: number; skipped: number[] };
  /** Same as state.guestSshEndpoint: where the VM's emulated SSH server listens. */
  guestSshEndpoint(vmid: number): { host: string; port: number } | undefined;
  close(): Promise<void>;
}

/**
 * Starts an HTTPS PVE API simulator on host:port (default 127.0.0.1, random port). Each call
 * builds an independent cluster (or reloads the one kept in `stateFile`); close() saves it when
 * a state file is set, then stops the HTTPS server, guest SSH servers (or qemu guests) and timers.
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const opts = resolveOptions(options);
  const clock = createClock(opts.timeFactor);
  const rng = createRng(opts.seed);
  const state = new ClusterState(opts, rng);
  if (opts.estate && opts.estate.count > 0)
    seedEstate(state, handMadeEstate(opts.estate, [...state.nodes.keys()], rng, new Set(state.vms.keys())), rng);
  const faults = emptyFaultState();
  const tls = cachedSelfSigned(opts.host, opts.nodes[0]?.name ?? 'pve1');
  const qemu =
    opts.guests === 'qemu'
      ? new QemuGuests(
          opts.qemu.imageDir ? guestImageAt(opts.qemu.imageDir) : await ensureGuestImage((line) => console.error(line)),
          opts.qemu,
        )
      : undefined;
  const auth = new AuthService(opts.flavour, opts.tokens, opts.users, clock.now);
  const access = new AccessControl(
    opts.flavour,
    (id) => auth.tokenInfo(id),
    (vmid) => state.poolOf(vmid),
    () => [...state.pools.entries()].map(([id, p]) => [id, [...p.members]]),
  );
  access.load(opts.access);
  const sim: Sim = {
    opts,
    clock,
    rng,
    state,
    faults,
    tasks: new TaskManager(state, clock, rng),
    flocks: new FlockTable(clock),
    auth,
    access,
    routePermissions: routePermissions(opts.flavour),
    guest: new GuestHub(state, faults, opts.host, opts.guestSsh && !qemu, qemu),
    ...(qemu ? { qemu } : {}),
    fingerprint: tls.fingerprint,
    // Set right below: the proxies need the finished context.
    terminals: undefined as unknown as Terminals,
  };
  sim.terminals = new TermProxies(sim);
  const persistence = opts.stateFile ? await persistClusterTo(sim, opts.stateFile) : undefined;
  const controller = new Faults(sim);
  const reader = new StateReader(sim);
  const admin = createAdminHandler(controller, reader);
  const apis = new NodeApis(opts.host, tls);
  sim.nodeApis = apis;
  const served = opts.apiPerNode ? opts.nodes : opts.nodes.slice(0, 1);
  for (const [i, n] of served.entries())
    await apis.start(
      n.name,
      i === 0 ? opts.port : 0,
      createRequestListener(sim, allRoutes, admin, n.name),
      createUpgradeListener(sim, allRoutes),
    );
  const endpoints = apis.endpoints();
  broadcastRrd(sim);
  const lagMs = clock.scale(opts.resourcesLagSeconds * 1000);
  const timer = lagMs > 0 ? setInterval(() => broadcastRrd(sim), lagMs) : undefined;
  timer?.unref();
  const main = endpoints[0] as NodeEndpoint;
  const firstToken = opts.tokens[0];
  const [username, password] = Object.entries(opts.users)[0] ?? ['', ''];
  return {
    url: main.url,
    endpoints,
    host: opts.host,
    port: main.port,
    tokenId: firstToken?.tokenId ?? '',
    tokenSecret: firstToken?.secret ?? '',
    username,
    password,
    caPem: tls.certPem,
    fingerprint: tls.fingerprint,
    flavour: opts.flavour,
    faults: controller,
    state: reader,
    restored: { vms: persistence?.restored ?? 0, skipped: persistence?.skipped ?? [] },
    guestSshEndpoint: (vmid) => reader.guestSshEndpoint(vmid),
    close: async () => {
      if (timer) clearInterval(timer);
      persistence?.stop();
      controller.reset();
      sim.terminals.closeAll();
      await sim.guest.closeAll();
      // A cluster kept in a state file keeps its guests' disks; a throwaway one removes them.
      await qemu?.closeAll(!opts.stateFile && !opts.qemu.runDir);
      await apis.closeAll();
    },
  };
}
