import { QueryClient } from '@tanstack/react-query';

/**
 * The app's one server-state cache. A page shows failures at once (no silent retries: the API's
 * message is what people need) and asks again each time it opens (stale at once), showing what
 * it had meanwhile; a read already under way (a route loader's prefetch) is shared, not repeated.
 */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: false, staleTime: 0, refetchOnWindowFocus: false, refetchOnReconnect: false },
      mutations: { retry: false },
    },
  });
}
