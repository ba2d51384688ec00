import type { IncomingMessage, ServerResponse } from 'node:http';
import { pathMatches, pickRouteFault } from '../faults/fault-state';
import { checkRoutePermission } from '../access/route-permissions';
import type { Sim } from '../sim-context';
import { authIdOf } from '../sim-context';
import { parseForm, parseJsonBody, readBody } from './body';
import { validateParams } from './params';
import type { RawParams } from './params';
import { nodeRefused, nodeUnreachable, PveError } from './pve-error';
import { sendData, sendError } from './respond';
import type { AuthInfo, Route, WithExtra } from './router';
import { matchRoute } from './router';

type AdminHandler = (req: IncomingMessage, res: ServerResponse, path: string, body: string) => void;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function isWithExtra(v: unknown): v is WithExtra {
  return typeof v === 'object' && v !== null && (v as { withExtra?: unknown }).withExtra === true;
}

async function handleApi(
  sim: Sim,
  routes: Array<Route<Sim>>,
  req: IncomingMessage,
  path: string,
  query: string,
  res: ServerResponse,
  localNode: string | undefined,
): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const rel = path.slice('/api2/json'.length) || '/';
  const match = matchRoute(routes, method, rel);
  let auth: AuthInfo = { user: 'anonymous', kind: 'ticket' };
  if (!match?.route.noAuth) {
    try {
      auth = sim.auth.authenticate(req.headers, method);
    } catch (e) {
      // pveproxy delays every failed authentication (~3 s) to slow down guessing
      if (sim.opts.authFailureDelayMs > 0) await sleep(sim.opts.authFailureDelayMs);
      throw e;
    }
  }
  const limit = sim.opts.flavour === 'pve9' ? 512 * 1024 : 64 * 1024;
  const text = await readBody(req, limit);
  if (!match) throw new PveError(501, `Method '${method} ${rel}' not implemented`);
  const raw: RawParams = parseForm(query);
  if (text !== '') {
    const ct = String(req.headers['content-type'] ?? '');
    if (ct.startsWith('application/json')) parseJsonBody(text, raw);
    else parseForm(text, raw);
  }
  const nodeName = /^\/nodes\/([^/]+)\//.exec(rel)?.[1];
  if (nodeName && sim.state.nodes.get(nodeName)?.online === false) throw nodeUnreachable();
  // pveproxy forwards a request for another node to that node's own pveproxy (port 8006): with
  // that one down, the forward is refused (PVE::APIServer::AnyEvent::proxy_request).
  if (nodeName && nodeName !== localNode && sim.nodeApis?.isDown(nodeName)) throw nodeRefused();
  const fault = pickRouteFault(sim.faults, method, rel, (p) => sim.rng.chance(p));
  if (fault) throw new PveError(fault.status, fault.message, undefined, fault.status >= 595);
  // pveproxy checks the schema's permissions before it verifies the parameters
  checkRoutePermission(sim.access, sim.routePermissions, match.route.noAuth ? undefined : authIdOf(auth), `${method} ${match.route.path}`, {
    ...raw,
    ...match.pathParams,
  });
  const params = validateParams(match.route.schema, { ...raw, ...match.pathParams });
  const result = await match.route.handler({ sim, params, auth, method, path: rel });
  const death = sim.faults.apiDiesAfter;
  if (death && localNode === death.node && death.method === method && pathMatches(death.path, rel)) {
    sim.faults.apiDiesAfter = undefined;
    // The work is done; the answer never leaves: the client cannot know the outcome.
    res.socket?.destroy();
    await sim.nodeApis?.setUp(localNode, false);
    return;
  }
  if (isWithExtra(result)) sendData(res, result.data, result.extra);
  else sendData(res, result);
}

/**
 * The request listener of one node's API port: /api2/json (PVE contract) and /_sim (admin).
 * `localNode` is the node whose pveproxy this port is. Never throws.
 */
export function createRequestListener(sim: Sim, routes: Array<Route<Sim>>, admin: AdminHandler, localNode?: string) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'https://sim.invalid');
    const path = url.pathname;
    if (path.startsWith('/_sim/')) {
      readBody(req, 1024 * 1024).then(
        (body) => admin(req, res, path, body),
        () => sendError(res, new PveError(413, 'Request Entity Too Large'), 'pve9'),
      );
      return;
    }
    if (!path.startsWith('/api2/json/') && path !== '/api2/json') {
      res.writeHead(404, 'Not Found', { 'Content-Length': 0 });
      res.end();
      return;
    }
    handleApi(sim, routes, req, path, url.search.slice(1), res, localNode).catch((e: unknown) => {
      const err = e instanceof PveError ? e : new PveError(500, e instanceof Error ? e.message : String(e));
      if (!res.headersSent) sendError(res, err, sim.opts.flavour);
      else res.end();
    });
  };
}
