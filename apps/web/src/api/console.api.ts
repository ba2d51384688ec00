import { ZConsoleTicket } from '@betang/core';
import type { ApiClient } from './http-client';

/** POST /vms/:id/console: a one-use ticket (30 s) for the console websocket; no Proxmox ticket ever reaches the page. */
export const openConsoleTicket = (api: ApiClient, vmId: string) =>
  api.request('POST', `/vms/${encodeURIComponent(vmId)}/console`, { body: {}, response: ZConsoleTicket });

/** The websocket URL of a ticket, on the page's own origin (ws: or wss: like the page). */
export function consoleSocketUrl(location: Pick<Location, 'protocol' | 'host'>, wsPath: string, ticket: string): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${wsPath}?ticket=${encodeURIComponent(ticket)}`;
}
