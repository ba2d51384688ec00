/**
 * The fields of a PATCH that carry a value: `undefined` ones are dropped (Kysely would drop them
 * too, and a patch of only undefined fields would become an UPDATE without SET — invalid SQL).
 * Returns undefined when nothing is left to write, so callers skip the UPDATE altogether.
 */
export function definedFields<T extends object>(patch: T): Partial<T> | undefined {
  const entries = Object.entries(patch).filter(([, value]) => value !== undefined);
  return entries.length === 0 ? undefined : (Object.fromEntries(entries) as Partial<T>);
}
