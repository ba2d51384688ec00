import { REQUEST_EVENT_KINDS } from '@betang/core';
import { QueryClient } from '@tanstack/react-query';
import { LIVE_EVENT_INVALIDATES, invalidateForLiveEvent } from './live-invalidation';
import { queryKeys } from './query-keys';

function clientWithData(): QueryClient {
  const client = new QueryClient({ defaultOptions: { queries: { staleTime: Infinity } } });
  client.setQueryData(queryKeys.requestList(), { items: [] });
  client.setQueryData(queryKeys.request('r1'), { id: 'r1' });
  client.setQueryData(queryKeys.operatorQueue, { pendingApprovals: [] });
  client.setQueryData(queryKeys.approvalQueue, { rows: [] });
  client.setQueryData(queryKeys.quota('i1'), { limits: {} });
  client.setQueryData(queryKeys.vms, { items: [] });
  client.setQueryData(queryKeys.ipPools, { items: [] });
  client.setQueryData(queryKeys.catalog, { templates: [] });
  return client;
}

const stale = (client: QueryClient) =>
  client
    .getQueryCache()
    .getAll()
    .filter((query) => query.isStale())
    .map((query) => JSON.stringify(query.queryKey))
    .sort();

describe('invalidateForLiveEvent', () => {
  it('should name the keys for every event kind of the stream contract', () => {
    expect(Object.keys(LIVE_EVENT_INVALIDATES).sort()).toEqual([...REQUEST_EVENT_KINDS].sort());
  });

  it('should leave every cache entry fresh on a snapshot', () => {
    const client = clientWithData();
    invalidateForLiveEvent(client, 'snapshot');
    expect(stale(client)).toEqual([]);
  });

  it('should mark the lists, the queues and the quotas stale on a status change, never the request itself', () => {
    const client = clientWithData();
    invalidateForLiveEvent(client, 'request.status');
    expect(stale(client)).toEqual(
      [queryKeys.approvalQueue, queryKeys.operatorQueue, queryKeys.quota('i1'), queryKeys.requestList(), queryKeys.vms]
        .map((key) => JSON.stringify(key))
        .sort(),
    );
  });

  it('should mark the VMs and the IP pools stale when an address changes, and nothing unrelated', () => {
    const client = clientWithData();
    invalidateForLiveEvent(client, 'address');
    expect(stale(client)).toEqual([queryKeys.ipPools, queryKeys.vms].map((key) => JSON.stringify(key)).sort());
  });
});
