import type { SimClock } from '../util/clock';

interface LockState {
  exclusive: boolean;
  holders: number;
  waiters: Array<{ shared: boolean; grant: () => void }>;
}

/** Release function returned by a successful acquire. */
export type Release = () => void;

/** The flock text PVE prints for `/var/lock/qemu-server/lock-<vmid>.conf`. */
export function vmLockPath(vmid: number): string {
  return `/var/lock/qemu-server/lock-${vmid}.conf`;
}

/**
 * In-memory model of PVE's flock()-based config locks: shared/exclusive, FIFO, with a
 * wait timeout (scaled by the clock, at least 25 ms so timeFactor 0 still serialises).
 */
export class FlockTable {
  private readonly locks = new Map<string, LockState>();

  constructor(private readonly clock: SimClock) {}

  private state(path: string): LockState {
    let s = this.locks.get(path);
    if (!s) {
      s = { exclusive: false, holders: 0, waiters: [] };
      this.locks.set(path, s);
    }
    return s;
  }

  private canGrant(s: LockState, shared: boolean): boolean {
    if (s.holders === 0) return true;
    return shared && !s.exclusive && s.waiters.length === 0;
  }

  private release(path: string, s: LockState): void {
    s.holders--;
    if (s.holders > 0) return;
    s.exclusive = false;
    while (s.waiters.length > 0) {
      const w = s.waiters[0];
      if (!w || (s.holders > 0 && (!w.shared || s.exclusive))) break;
      s.waiters.shift();
      w.grant();
      if (!w.shared) break;
    }
    if (s.holders === 0 && s.waiters.length === 0) this.locks.delete(path);
  }

  /** True when someone holds the lock. */
  isHeld(path: string): boolean {
    return (this.locks.get(path)?.holders ?? 0) > 0;
  }

  /**
   * Waits up to `timeoutMs` (realistic ms, scaled) for the lock; rejects with
   * `can't lock file '<path>' - got timeout`. The returned release is idempotent.
   */
  acquire(path: string, timeoutMs: number, shared = false): Promise<Release> {
    const s = this.state(path);
    return new Promise((resolve, reject) => {
      let released = false;
      const makeRelease = (): Release => () => {
        if (released) return;
        released = true;
        this.release(path, s);
      };
      const take = (): void => {
        s.holders++;
        s.exclusive = !shared;
        resolve(makeRelease());
      };
      if (this.canGrant(s, shared)) return take();
      const waiter = {
        shared,
        grant: () => {
          clearTimeout(timer);
          take();
        },
      };
      const timer = setTimeout(
        () => {
          s.waiters = s.waiters.filter((w) => w !== waiter);
          reject(new Error(`can't lock file '${path}' - got timeout`));
        },
        Math.max(25, this.clock.scale(timeoutMs)),
      );
      timer.unref();
      s.waiters.push(waiter);
    });
  }
}
