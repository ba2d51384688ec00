import { ZOperatorDashboard, type OperatorDashboardDto } from '@betang/core';
import type { ApiClient } from './http-client';

/** GET /operator/dashboard: the counts an operator acts on and the capacity per node. */
export const getOperatorDashboard = (api: ApiClient) => api.request('GET', '/operator/dashboard', { response: ZOperatorDashboard });

/** How long to wait before reopening a stream the server refused (the browser gives up on non-200). */
const REOPEN_MS = 5_000;

/**
 * Follows GET /operator/dashboard/events: the dashboard at once, then again whenever a count
 * changes. EventSource reconnects by itself after a dropped connection; a refused one is reopened
 * here after a pause. Messages that fail the contract are dropped. Returns close().
 */
export function openDashboardEvents(onDashboard: (dashboard: OperatorDashboardDto) => void): () => void {
  let source: EventSource | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  const onMessage = (message: MessageEvent<string>) => {
    let json: unknown;
    try {
      json = JSON.parse(message.data);
    } catch {
      return;
    }
    const parsed = ZOperatorDashboard.safeParse(json);
    if (parsed.success) onDashboard(parsed.data);
  };
  const open = () => {
    if (closed) return;
    source = new EventSource('/api/v1/operator/dashboard/events', { withCredentials: true });
    source.addEventListener('dashboard', onMessage as EventListener);
    source.onerror = () => {
      if (source?.readyState === EventSource.CLOSED) {
        source.close();
        timer = setTimeout(open, REOPEN_MS);
      }
    };
  };
  open();
  return () => {
    closed = true;
    if (timer) clearTimeout(timer);
    source?.close();
  };
}
