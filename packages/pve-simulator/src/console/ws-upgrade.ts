import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { checkRoutePermission } from '../access/route-permissions';
import { parseForm } from '../server/body';
import { validateParams } from '../server/params';
import { nodeUnreachable, PveError } from '../server/pve-error';
import type { Route } from '../server/router';
import { matchRoute } from '../server/router';
import type { Sim } from '../sim-context';
import { authIdOf } from '../sim-context';
import type { WsProto } from './termproxy';

/** The protocol pveproxy picks from the client's list: `binary` wins, else `base64`. */
export function pickWsProto(header: string | undefined): WsProto | undefined {
  let proto: WsProto | undefined;
  for (const p of (header ?? '').split(/[,;\s]+/)) {
    if (p === 'binary') proto = 'binary';
    else if (p === 'base64' && !proto) proto = 'base64';
  }
  return proto;
}

function refuse(socket: Duplex, err: PveError, flavour: 'pve8' | 'pve9'): void {
  const reason = (err.message.split('\n')[0] ?? '').replace(/[^\t\x20-\x7e]/g, '?');
  const body = err.emptyBody ? '' : JSON.stringify(flavour === 'pve9' ? { data: null, message: `${err.message}\n` } : { data: null });
  socket.end(
    `HTTP/1.1 ${err.status} ${reason}\r\nConnection: close\r\nServer: pve-api-daemon/3.0\r\n` +
      (body ? `Content-Type: application/json;charset=UTF-8\r\n` : '') +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * pveproxy's websocket upgrade for `GET …/vncwebsocket`: version 13 and a `binary`/`base64`
 * sub-protocol required (501 otherwise), then the usual authentication (API token or ticket
 * cookie), permission check and parameters, the handler (VNC ticket for this user, VM and port),
 * and only then the 101 and the bridge to the termproxy listening on `port`. Never throws.
 */
export function createUpgradeListener(sim: Sim, routes: Array<Route<Sim>>) {
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (protocols) => pickWsProto([...protocols].join(',')) ?? false,
  });
  return (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    try {
      const url = new URL(req.url ?? '/', 'https://sim.invalid');
      const rel = url.pathname.slice('/api2/json'.length);
      if (!url.pathname.startsWith('/api2/json/') || !rel.endsWith('websocket'))
        throw new PveError(501, `Method 'GET ${rel}' not implemented`);
      if (String(req.headers.upgrade ?? '').toLowerCase() !== 'websocket')
        throw new PveError(501, `unable to upgrade to protocol '${String(req.headers.upgrade ?? '')}'`);
      const ver = String(req.headers['sec-websocket-version'] ?? '');
      if (ver !== '13') throw new PveError(501, `unsupported websocket-version '${ver}'`);
      if (!req.headers['sec-websocket-key']) throw new PveError(501, 'missing websocket-key');
      const protoHeader = req.headers['sec-websocket-protocol'];
      if (!protoHeader) throw new PveError(501, 'missing websocket-protocol header');
      const proto = pickWsProto(protoHeader);
      if (!proto) throw new PveError(501, `unsupported websocket-protocol protocol '${protoHeader}'`);
      const match = matchRoute(routes, 'GET', rel);
      if (!match) throw new PveError(501, `Method 'GET ${rel}' not implemented`);
      let auth;
      try {
        auth = sim.auth.authenticate(req.headers, 'GET');
      } catch (e) {
        // pveproxy delays every failed authentication, upgrades included
        const err = e instanceof PveError ? e : new PveError(401, String(e));
        setTimeout(() => refuse(socket, err, sim.opts.flavour), sim.opts.authFailureDelayMs).unref();
        return;
      }
      const nodeName = match.pathParams.node;
      if (nodeName && sim.state.nodes.get(nodeName)?.online === false) throw nodeUnreachable();
      const raw = parseForm(url.search.slice(1));
      checkRoutePermission(sim.access, sim.routePermissions, authIdOf(auth), `GET ${match.route.path}`, { ...raw, ...match.pathParams });
      const params = validateParams(match.route.schema, { ...raw, ...match.pathParams });
      match.route.handler({ sim, params, auth, method: 'GET', path: rel });
      const port = Number(params.port);
      if (!sim.terminals.listening(port, Number(params.vmid)))
        throw new PveError(501, `connect to 'localhost:${port}' failed: Connection refused`);
      wss.handleUpgrade(req, socket, head, (ws) => sim.terminals.attach(port, ws, proto));
    } catch (e) {
      const err = e instanceof PveError ? e : new PveError(500, e instanceof Error ? e.message : String(e));
      refuse(socket, err, sim.opts.flavour);
    }
  };
}
