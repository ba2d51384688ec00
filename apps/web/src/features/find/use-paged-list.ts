import { useQuery, type QueryKey } from '@tanstack/react-query';
import { useState } from 'react';

type Page<T> = { items: T[]; nextCursor: string | null };

/**
 * A keyset-paged list: the first page through the query cache (`key`), further pages appended on
 * `loadMore` and dropped when the key changes (a new filter starts again at page one).
 */
export function usePagedList<T>(key: QueryKey, fetchPage: (cursor?: string) => Promise<Page<T>>) {
  const first = useQuery({ queryKey: key, queryFn: () => fetchPage() });
  const keyText = JSON.stringify(key);
  const [more, setMore] = useState<{ key: string; items: T[]; nextCursor: string | null } | null>(null);
  const [moreError, setMoreError] = useState<unknown>(undefined);
  const extra = more?.key === keyText ? more : null;
  const items = first.data ? [...first.data.items, ...(extra?.items ?? [])] : undefined;
  const nextCursor = extra ? extra.nextCursor : (first.data?.nextCursor ?? null);
  async function loadMore() {
    if (!nextCursor) return;
    try {
      const page = await fetchPage(nextCursor);
      setMore({ key: keyText, items: [...(extra?.items ?? []), ...page.items], nextCursor: page.nextCursor });
      setMoreError(undefined);
    } catch (error) {
      setMoreError(error);
    }
  }
  return {
    items,
    loading: first.isFetching && !first.data,
    busy: first.isFetching,
    error: first.error ?? moreError,
    onMore: nextCursor ? loadMore : undefined,
    /** Reads the first page again (after a change made on the page). */
    refetch: () => first.refetch(),
  };
}
