import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { openVmEvents, type StreamState } from '../../api/events.api';
import { invalidateForLiveEvent } from '../../api/live-invalidation';
import { queryKeys } from '../../api/query-keys';

/**
 * Keeps the VM list (and what a VM change outdates elsewhere) current from GET /vms/events:
 * each event marks its caches stale, so the shown list is read again; every (re)opened stream
 * re-reads the list too, since events may have been missed while it was closed. Returns the
 * stream's state for the "live" indicator.
 */
export function useLiveVms(): StreamState {
  const queryClient = useQueryClient();
  const [stream, setStream] = useState<StreamState>('connecting');
  useEffect(
    () =>
      openVmEvents({
        onEvent: (event) => invalidateForLiveEvent(queryClient, event.kind),
        onState: (state) => {
          setStream(state);
          if (state === 'live') void queryClient.invalidateQueries({ queryKey: queryKeys.vms });
        },
      }),
    [queryClient],
  );
  return stream;
}
