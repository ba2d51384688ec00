import { useCallback, useEffect, useState } from 'react';
import type { ApiClient } from './http-client';
import { useApi } from './api-context';

export type Resource<T> = { data: T | undefined; error: unknown; loading: boolean; reload(): void };

/**
 * Loads `load(api)` when the component mounts and whenever `deps` change; a newer load wins over
 * a slower older one (its answer is dropped), so quick filter changes never show stale data.
 */
export function useResource<T>(load: (api: ApiClient) => Promise<T>, deps: readonly unknown[]): Resource<T> {
  const api = useApi();
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: undefined, loading: true });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let current = true;
    setState((previous) => ({ ...previous, loading: true }));
    load(api).then(
      (data) => current && setState({ data, error: undefined, loading: false }),
      (error: unknown) => current && setState({ data: undefined, error, loading: false }),
    );
    return () => {
      current = false;
    };
  }, [api, generation, ...deps]);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  return { ...state, reload };
}
