import type { RequestEventKind } from '@betang/core';
import type { QueryKey } from '@tanstack/react-query';
import { queryKeys } from './query-keys';

/**
 * What each live event of a request stream (docs/live-status.md) makes stale elsewhere in the app.
 * The request's own detail is kept current by the stream itself; these are the other screens'
 * caches: lists, the operator queue, quotas (a request holds quota until it ends), VMs, IP pools,
 * the cluster. The snapshot repeats what the page just read, so it invalidates nothing.
 */
export const LIVE_EVENT_INVALIDATES: Readonly<Record<RequestEventKind, readonly QueryKey[]>> = {
  snapshot: [],
  'request.status': [queryKeys.requestList(), queryKeys.operatorQueue, queryKeys.quotas, queryKeys.vms],
  approval: [queryKeys.requestList(), queryKeys.operatorQueue],
  run: [queryKeys.requestList(), queryKeys.operatorQueue, queryKeys.vms],
  'run.step': [queryKeys.operatorQueue],
  vm: [queryKeys.vms, queryKeys.cluster, queryKeys.quotas],
  address: [queryKeys.vms, queryKeys.ipPools],
};

/** The part of the QueryClient this needs (structural, so any build of the client fits). */
type Invalidator = { invalidateQueries(filters: { queryKey: QueryKey }): Promise<unknown> };

/** Marks stale (and refetches if shown) every cache entry that a live event of `kind` outdates. */
export function invalidateForLiveEvent(queryClient: Invalidator, kind: RequestEventKind): void {
  for (const queryKey of LIVE_EVENT_INVALIDATES[kind] ?? []) void queryClient.invalidateQueries({ queryKey });
}
