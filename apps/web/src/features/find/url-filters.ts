import { useSearchParams } from 'react-router';

/** The filter values of a list page: one string per key, '' when unset. */
export type FilterValues<K extends string> = Record<K, string>;

/**
 * The filters of a list kept in the page's URL (`?status=…&hostname=…`), so a reload or a shared
 * link shows the same list. Reading ignores unknown parameters; `apply` replaces every filter
 * (empty values leave the URL) and pushes one history entry, so Back returns to the previous filter.
 */
export function useUrlFilters<K extends string>(keys: readonly K[]) {
  const [params, setParams] = useSearchParams();
  const values = Object.fromEntries(keys.map((key) => [key, params.get(key)?.trim() ?? ''])) as FilterValues<K>;
  function apply(next: Partial<FilterValues<K>>) {
    const out = new URLSearchParams(params);
    for (const key of keys) {
      const value = next[key]?.trim() ?? '';
      if (value) out.set(key, value);
      else out.delete(key);
    }
    setParams(out);
  }
  /** The set filters only, for an API query (empty ones left out). */
  const query = Object.fromEntries(Object.entries(values).filter(([, value]) => value !== '')) as Partial<FilterValues<K>>;
  return { values, query, apply, clear: () => apply({}) };
}
