/** A named, typed slot of the attempt cache; the type travels with the slot, never with a cast at the reader. */
type CacheSlot<T> = { readonly name: string; readonly __value?: T };

/** Declares a slot holding values of type T. */
export function cacheSlot<T>(name: string): CacheSlot<T> {
  return { name };
}

/**
 * What one attempt learned that a later step of the same attempt may reuse instead of asking
 * again (e.g. a VM config just read). The harness makes a new, empty cache for every attempt, so
 * a retried job or a restarted worker starts without it and reads the real state afresh. Values
 * are taken — returned and forgotten — so an in-process retry of the step that took one reads
 * the real state again too.
 */
export class AttemptCache {
  private readonly values = new Map<string, unknown>();

  /** Remembers `value` for a later step of this attempt (replacing an earlier one). */
  put<T>(slot: CacheSlot<T>, value: T): void {
    this.values.set(slot.name, value);
  }

  /** Returns and forgets the value of `slot`, or undefined when this attempt has none. */
  take<T>(slot: CacheSlot<T>): T | undefined {
    const value = this.values.get(slot.name) as T | undefined;
    this.values.delete(slot.name);
    return value;
  }
}
