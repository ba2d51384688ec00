/** Result of an emulated command (agent exec or SSH exec). */
export interface GuestCommandResult {
  code: number;
  stdout?: string;
  stderr?: string;
  /** Absolute time (ms) before which the command has not finished (a blocking command). */
  readyAt?: number;
}

/**
 * Decides what a guest command answers; undefined = default behaviour. `forget` (optional) is
 * called when the VM is destroyed: a handler keeping per-guest state drops it there, so a new VM
 * that reuses the vmid starts as a fresh guest.
 */
export type GuestCommandHandler = ((vmid: number, command: string) => GuestCommandResult | undefined) & { forget?(vmid: number): void };

/** An injected HTTP failure for matching requests. */
export interface RouteFault {
  id: number;
  /** Upper-case method; undefined = any. */
  method?: string;
  /** Path relative to /api2/json with `*` wildcards (one segment) or `**` (any), or a RegExp source. */
  path: string;
  /** Probability 0..1 per matching request (seeded). */
  rate: number;
  /** 500, 503, 595, 596 ... */
  status: number;
  message: string;
  /** Remaining hits; undefined = unlimited. */
  times?: number;
}

/** Every fault switch; mutated by the Faults controller, read by handlers. */
export interface FaultState {
  routes: RouteFault[];
  nextRouteId: number;
  /** storage id → remaining clone lock timeouts. */
  storageLockTimeouts: Map<string, number>;
  /** vmids (or '*') whose agent never answers. */
  agentNeverStarts: Set<number | '*'>;
  /** vmids (or '*') whose guest ignores the ACPI power button (shutdown only ends by timeout). */
  shutdownIgnored: Set<number | '*'>;
  /** Remaining clone tasks that die hard and leave `lock: clone`. */
  staleCloneLocks: number;
  /** Where those clone workers die: before the first disk (bare placeholder) or after it (config with description). */
  staleCloneLockAt: 'placeholder' | 'after-first-disk';
  /** Remaining task-creating calls that fail with "got no worker upid". */
  noWorkerUpid: number;
  /** Held flock releases per vmid (fault: config lock timeouts). */
  heldVmLocks: Map<number, () => void>;
  guestCommand?: GuestCommandHandler;
  /**
   * The next request matching method + path that reaches `node`'s own API port is carried out,
   * then that node's pveproxy dies before answering (the caller's outcome is unknown).
   */
  apiDiesAfter?: { node: string; method: string; path: string };
}

/** Fresh, fault-free state. */
export function emptyFaultState(): FaultState {
  return {
    routes: [],
    nextRouteId: 1,
    storageLockTimeouts: new Map(),
    agentNeverStarts: new Set(),
    shutdownIgnored: new Set(),
    staleCloneLocks: 0,
    staleCloneLockAt: 'placeholder',
    noWorkerUpid: 0,
    heldVmLocks: new Map(),
  };
}

function patternToRegExp(p: string): RegExp {
  if (p.startsWith('^')) return new RegExp(p);
  const esc = p
    .split('**')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]+'))
    .join('.*');
  return new RegExp(`^${esc}$`);
}

/** True when `path` matches a fault path pattern (`*` one segment, `**` any, `^…` a RegExp). */
export function pathMatches(pattern: string, path: string): boolean {
  return patternToRegExp(pattern).test(path);
}

/** First route fault matching method + path that fires (rate drawn from `chance`). */
export function pickRouteFault(s: FaultState, method: string, path: string, chance: (p: number) => boolean): RouteFault | undefined {
  for (const f of s.routes) {
    if (f.method && f.method !== method) continue;
    if (!patternToRegExp(f.path).test(path)) continue;
    if (f.times !== undefined && f.times <= 0) continue;
    if (!chance(f.rate)) continue;
    if (f.times !== undefined) f.times--;
    return f;
  }
  return undefined;
}
