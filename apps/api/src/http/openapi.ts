import { ZErrorBody } from '@betang/core';
import { z } from 'zod';
import type { RouteRegistry, WrittenMedia } from './route';

/** How the document describes media a handler writes itself (files as bytes, text as text). */
const WRITTEN_SCHEMA: Record<WrittenMedia, { schema: Record<string, string> }> = {
  'application/pdf': { schema: { type: 'string', contentMediaType: 'application/pdf', contentEncoding: 'binary' } },
  'text/csv': { schema: { type: 'string', contentMediaType: 'text/csv' } },
  'text/event-stream': { schema: { type: 'string', contentMediaType: 'text/event-stream' } },
  'text/html': { schema: { type: 'string', contentMediaType: 'text/html' } },
};

function jsonSchema(schema: z.ZodType, io: 'input' | 'output') {
  return z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' });
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query') {
  if (!schema) return [];
  const json = jsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: s,
  }));
}

/**
 * Builds the OpenAPI 3.1 document from the registered routes' zod schemas — the same schemas
 * that validate requests, so the document cannot drift from the behaviour.
 */
export function buildOpenApi(registry: RouteRegistry, serverUrl: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const errorResponse = { description: 'Error', content: { 'application/json': { schema: jsonSchema(ZErrorBody, 'output') } } };
  for (const spec of registry) {
    const operation: Record<string, unknown> = {
      summary: spec.summary,
      tags: [spec.tag],
      operationId: `${spec.method}${spec.path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
      // Token scope (docs/security.md): bearer lists the one scope the route needs; session-only routes take no token.
      security:
        spec.access === 'public'
          ? []
          : spec.scope === 'session-only'
            ? [{ session: [] }]
            : [{ session: [] }, { bearer: spec.scope ? [spec.scope] : [] }],
      'x-betang-token-scope': spec.access === 'public' ? null : (spec.scope ?? null),
      parameters: [...parameters(spec.params, 'path'), ...parameters(spec.query, 'query')],
      responses: {
        [String(spec.status ?? (spec.response || spec.writes ? 200 : 204))]:
          spec.response || spec.writes
            ? {
                description: 'OK',
                content: {
                  ...(spec.response ? { 'application/json': { schema: jsonSchema(spec.response, 'output') } } : {}),
                  ...(spec.writes ? { [spec.writes]: WRITTEN_SCHEMA[spec.writes] } : {}),
                },
              }
            : { description: 'OK' },
        default: errorResponse,
      },
    };
    if (spec.body) operation.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(spec.body, 'input') } } };
    (paths[spec.path] ??= {})[spec.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Betang API',
      version: '1.0.0',
      description: 'Platform VPS swalayan pusat data Pemprov Kalimantan Tengah / self-service VPS platform',
      license: { name: 'AGPL-3.0-or-later', identifier: 'AGPL-3.0-or-later' },
    },
    servers: [{ url: `${serverUrl.replace(/\/$/, '')}/api/v1` }],
    components: {
      securitySchemes: {
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'betang_session',
          description: 'Named __Host-betang_session when COOKIE_SECURE=true (HTTPS). Unsafe methods also need X-CSRF-Token',
        },
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            'Personal API token (btg_…), valid at most 365 days, with scopes: read (every GET), requests:write (VPS requests, VM actions), inventory:write (applications), operate (operator queue, catalog, reconciliation), admin (institutions, quotas, users, IP pools, settings). A missing scope answers 403 TOKEN_SCOPE_MISSING; routes marked x-betang-token-scope: session-only (signing, token and TOTP management) take no token.',
        },
      },
    },
    paths,
    // OpenAPI 3.1 has no websocket operations: the one websocket is described here, next to the
    // route that hands out its ticket (POST /vms/{id}/console).
    'x-betang-websockets': {
      '/console/ws': {
        summary: 'Konsol serial VM / the VM serial console (WebSocket, sub-protocol "binary")',
        query: { ticket: 'the one-use ticket from POST /vms/{id}/console (30 s)' },
        requires: 'same-origin Origin header; the session cookie of the user the ticket was made for',
        protocol:
          'server sends "OK", then the terminal raw bytes; client sends 0:<UTF-8 byte length>:<data> (input), 1:<cols>:<rows>: (resize), 2 (ping)',
        closeCodes: {
          '1000': 'closed',
          '1001': 'API shutting down',
          '4000': 'idle (setting console.idleMinutes)',
          '4001': 'Proxmox closed or refused the console',
        },
      },
    },
  };
}
