import { z } from 'zod';
import { pathSegment } from '../util/path-segment';
import { ZPveInt } from '../wire/coerce.schema';

/** The serial ports `termproxy` may open (qemu-server's enum). */
export type SerialPort = 'serial0' | 'serial1' | 'serial2' | 'serial3';

/**
 * `POST /nodes/{node}/qemu/{vmid}/termproxy`'s answer: the port the termproxy listens on (5900–
 * 5999, behind pveproxy), a one-connection VNC ticket (valid about 40 s, bound to this user, VM
 * and port), the user it was issued to, and the `vncproxy` task that lives as long as the session.
 */
export const ZTermproxy = z.object({
  user: z.string().min(1),
  ticket: z.string().min(1).max(512),
  port: ZPveInt.pipe(z.number().int().min(5900).max(5999)),
  upid: z.string().min(1),
});
export type Termproxy = z.infer<typeof ZTermproxy>;

/**
 * The `wss://` URL of `GET …/vncwebsocket` for a termproxy answer, on `origin` (an `https://`
 * API origin). The ticket travels only in this URL and in the first line sent on the socket
 * (`user:ticket\n`); both stay between Betang and PVE. Pure.
 */
export function vncWebsocketUrl(origin: string, node: string, vmid: number, tp: Pick<Termproxy, 'port' | 'ticket'>): string {
  const url = new URL(origin);
  url.protocol = url.protocol === 'http:' ? 'ws:' : 'wss:';
  url.pathname = `/api2/json/nodes/${pathSegment(node)}/qemu/${vmid}/vncwebsocket`;
  url.search = new URLSearchParams({ port: String(tp.port), vncticket: tp.ticket }).toString();
  return url.toString();
}

/** The first message termproxy expects on the socket: `user:ticket\n`. */
export function termproxyHandshake(tp: Pick<Termproxy, 'user' | 'ticket'>): string {
  return `${tp.user}:${tp.ticket}\n`;
}

/**
 * Everything needed to open the console websocket with any websocket client: URL, the API token
 * header pveproxy authenticates the upgrade with, the sub-protocol it requires, and the TLS pin
 * of the endpoint (a CA or a SHA-256 fingerprint; never unverified).
 */
export type VncWebsocketTarget = {
  url: string;
  headers: Record<string, string>;
  protocols: ['binary'];
  tls: { ca?: string; fingerprint?: string };
};
