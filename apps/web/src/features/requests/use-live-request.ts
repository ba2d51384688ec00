import type { VpsRequestDto } from '@betang/core';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useState } from 'react';
import { openRequestEvents, type StreamState } from '../../api/events.api';
import { invalidateForLiveEvent } from '../../api/live-invalidation';
import { queryKeys } from '../../api/query-keys';
import { useApi } from '../../api/api-context';
import { getRequest } from '../../api/vps-requests.api';
import { applyEvent, fromSnapshot, withHostKeyFingerprint, withPendingLevel, withPublicEndpoint, type LiveRequest } from './live-request';

/**
 * A request kept live by its SSE stream: the stream's snapshot first, then each event applied.
 * Each event also marks stale what it changes elsewhere (lists, queue, quota, VMs: see
 * live-invalidation), and the request's cache entry follows the live state, so other screens
 * never show an older request than this one. `enabled: false` (the request could not be read)
 * opens nothing. `replace` takes an answer of an action (cancel) at once; the stream's events still follow.
 */
export function useLiveRequest(
  requestId: string,
  enabled = true,
): { live: LiveRequest | null; stream: StreamState; replace(request: VpsRequestDto): void } {
  const queryClient = useQueryClient();
  const api = useApi();
  const [live, setLive] = useState<LiveRequest | null>(null);
  const [stream, setStream] = useState<StreamState>('connecting');
  useEffect(() => {
    setLive(null);
    if (!enabled) return undefined;
    return openRequestEvents(requestId, {
      onEvent: (event) => {
        invalidateForLiveEvent(queryClient, event.kind);
        setLive((state) =>
          state || event.kind === 'snapshot' ? applyEvent(state ?? fromSnapshot(event.data as VpsRequestDto), event) : state,
        );
        // An approval event does not say which level waits next; read it once (a later read is never older).
        if (event.kind === 'approval' && event.data.decision === 'approved')
          void getRequest(api, requestId)
            .then((fresh) => setLive((state) => state && withPendingLevel(state, fresh)))
            .catch(() => undefined);
        // The host key and the public endpoint are set during provisioning but never travel in an
        // event: read them once the request settles.
        if (event.kind === 'request.status' && event.data.status === 'active')
          void getRequest(api, requestId)
            .then((fresh) =>
              setLive(
                (state) =>
                  state && withPublicEndpoint(withHostKeyFingerprint(state, fresh.vm?.hostKeyFingerprint), fresh.vm?.publicEndpoint),
              ),
            )
            .catch(() => undefined);
      },
      onState: setStream,
    });
  }, [requestId, enabled, queryClient, api]);
  useEffect(() => {
    if (live) queryClient.setQueryData(queryKeys.request(requestId), live.request);
  }, [live, requestId, queryClient]);
  const replace = useCallback(
    (request: VpsRequestDto) =>
      setLive((state) => ({ ...fromSnapshot(request, state?.lastEventId ?? 0), runs: state?.runs ?? fromSnapshot(request).runs })),
    [],
  );
  return { live, stream, replace };
}
