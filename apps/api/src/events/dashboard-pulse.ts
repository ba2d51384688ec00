import type { Logger } from 'pino';

/**
 * Shares one periodic read of a value (the operators' dashboard) among every open stream of this
 * process: it reads only while someone listens, at most once per interval whatever the number of
 * listeners, and tells each listener only when the value differs from the last one it was given
 * (compared without the fields `volatile` names, e.g. the time it was computed). Guarantees: no
 * timer outlives the last listener, and a failed read is logged and retried on the next tick
 * without telling anyone.
 */
export class DashboardPulse<T extends object> {
  private readonly listeners = new Map<(value: T) => void, string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: { read: () => Promise<T>; logger: Logger; intervalMs: number; volatile?: readonly (keyof T)[] }) {}

  /** Calls `listener` with each value that differs from `seen` (what it already has) and then from the last one it got; returns the unsubscribe function. */
  subscribe(listener: (value: T) => void, seen: T): () => void {
    this.listeners.set(listener, this.key(seen));
    if (!this.timer) this.schedule();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  /** Number of listeners (for tests). */
  get size(): number {
    return this.listeners.size;
  }

  private key(value: T): string {
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    for (const k of this.options.volatile ?? []) delete copy[k as string];
    return JSON.stringify(copy);
  }

  private schedule(): void {
    const timer = setTimeout(() => {
      void this.tick().finally(() => {
        if (this.timer === timer && this.listeners.size > 0) this.schedule();
      });
    }, this.options.intervalMs);
    timer.unref();
    this.timer = timer;
  }

  private stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async tick(): Promise<void> {
    try {
      const value = await this.options.read();
      const key = this.key(value);
      for (const [listener, seen] of [...this.listeners]) {
        if (seen === key || !this.listeners.has(listener)) continue;
        this.listeners.set(listener, key);
        listener(value);
      }
    } catch (error) {
      this.options.logger.warn({ err: error }, 'membaca dasbor gagal / dashboard read failed');
    }
  }
}
