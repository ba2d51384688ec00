import { createQueryId, type Compilable, type CompiledQuery } from 'kysely';
import type { Executor } from '../database';

// Marker values standing in for parameters while the SQL is compiled; never sent to PostgreSQL.
const SLOT = '\u0000betang-slot:';

/**
 * A hot-path query built once per executor with the kysely builder and then re-run with new
 * values, skipping the per-call builder and plugin work (reference parsing, freezing, the
 * camelCase transform of the query tree), which profiling showed to be the API's largest
 * JavaScript cost per status read. `build` receives one placeholder per parameter and must use
 * each exactly once as a plain value.
 *
 * Guarantees: the SQL and the result mapping (camelCase plugin included) are exactly the ones
 * the builder produces for that executor; only the values at the placeholders change per call;
 * a `build` that drops or repeats a placeholder throws at its first call.
 */
export function preparedQuery<P extends unknown[], R>(
  arity: P['length'],
  build: (db: Executor, ...slots: P) => Compilable<R>,
): (db: Executor, ...values: P) => Promise<R[]> {
  const cache = new WeakMap<Executor, { compiled: CompiledQuery<R>; positions: number[] }>();
  return async (db, ...values) => {
    let entry = cache.get(db);
    if (!entry) {
      const markers = Array.from({ length: arity }, (_, i) => `${SLOT}${i}`);
      const compiled = build(db, ...(markers as unknown as P)).compile();
      const positions = markers.map((marker) => {
        const at = compiled.parameters.indexOf(marker);
        if (at < 0 || compiled.parameters.indexOf(marker, at + 1) >= 0)
          throw new Error(`prepared query: placeholder ${marker.slice(1)} must be used exactly once`);
        return at;
      });
      entry = { compiled, positions };
      cache.set(db, entry);
    }
    const parameters = [...entry.compiled.parameters];
    entry.positions.forEach((at, i) => {
      parameters[at] = values[i];
    });
    const result = await db.executeQuery<R>({ ...entry.compiled, parameters, queryId: createQueryId() });
    return result.rows;
  };
}
