import { DATA_CENTER_ROLES, type OperatorDashboardDto } from '@betang/core';
import { useQuery, useQueryClient, type UseQueryResult } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useApi } from '../../api/api-context';
import { getOperatorDashboard, openDashboardEvents } from '../../api/operator-dashboard.api';
import { queryKeys } from '../../api/query-keys';
import { holdsAny, useMe } from '../../session/session-context';

/** The operators' dashboard from the cache (GET /operator/dashboard); only data-center staff ask for it. */
export function useOperatorDashboard(): UseQueryResult<OperatorDashboardDto> {
  const api = useApi();
  const allowed = holdsAny(useMe().roles, DATA_CENTER_ROLES);
  return useQuery({ queryKey: queryKeys.operatorDashboard, queryFn: () => getOperatorDashboard(api), enabled: allowed });
}

/**
 * Keeps the dashboard in the cache current for data-center staff: one live stream for the whole
 * signed-in app (the shell mounts this once), each message written into the cache, so the
 * navigation badges and the dashboard page change together without a reload.
 */
export function useLiveOperatorDashboard(): void {
  const queryClient = useQueryClient();
  const allowed = holdsAny(useMe().roles, DATA_CENTER_ROLES);
  useEffect(() => {
    if (!allowed) return undefined;
    return openDashboardEvents((dashboard) => queryClient.setQueryData(queryKeys.operatorDashboard, dashboard));
  }, [allowed, queryClient]);
}
