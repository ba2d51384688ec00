import type { ParamSchema, ParsedParams } from './params';

/** Authenticated caller. */
export interface AuthInfo {
  user: string;
  tokenid?: string;
  /** 'token' or 'ticket' */
  kind: 'token' | 'ticket';
}

/** What a handler receives. */
export interface RouteContext<S> {
  sim: S;
  params: ParsedParams;
  auth: AuthInfo;
  method: string;
  /** Path relative to /api2/json. */
  path: string;
}

/** A handler result that adds top-level keys (e.g. `total`) next to `data`. */
export interface WithExtra {
  readonly withExtra: true;
  data: unknown;
  extra: Record<string, unknown>;
}

/** Wraps data plus top-level envelope keys. */
export function withExtra(data: unknown, extra: Record<string, unknown>): WithExtra {
  return { withExtra: true, data, extra };
}

export interface Route<S> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  schema: ParamSchema;
  /** Reachable without authentication (only /access/ticket). */
  noAuth?: boolean;
  handler: (ctx: RouteContext<S>) => unknown;
}

/** Matches a concrete path against the table; path params come back URL-decoded. */
export function matchRoute<S>(
  routes: Array<Route<S>>,
  method: string,
  path: string,
): { route: Route<S>; pathParams: Record<string, string> } | undefined {
  const segs = path.split('/').filter(Boolean);
  for (const route of routes) {
    if (route.method !== method) continue;
    const rs = route.path.split('/').filter(Boolean);
    if (rs.length !== segs.length) continue;
    const pathParams: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < rs.length && ok; i++) {
      const r = rs[i] ?? '';
      const s = segs[i] ?? '';
      if (r.startsWith('{')) {
        try {
          pathParams[r.slice(1, -1)] = decodeURIComponent(s);
        } catch {
          ok = false;
        }
      } else ok = r === s;
    }
    if (ok) return { route, pathParams };
  }
  return undefined;
}
