import { AppError, ErrorCode, ZIdParam, canSeeInstitution } from '@betang/core';
import { findVpsRequest, latestEventId, requestEventsPrunedThrough, type RequestEventRow } from '@betang/db';
import { z } from 'zod';
import { openEventStream } from '../events/event-stream';
import { RequestEventHub } from '../events/request-event-hub';
import { loadRequestSnapshot } from '../events/request-snapshot';
import { parseLastEventId } from '../events/sse-format';
import { actorOf } from '../http/context';
import { eventDataFor, requestViewFor } from '../http/institution-view';
import { route } from '../http/route';
import { listScope } from '../use-cases/application-access';
import type { RoutesContext } from './router-context';

const ZEventsQuery = z.object({ lastEventId: z.string().max(40).optional() });
const ZVmEventsQuery = z.strictObject({ lastEventId: z.string().max(40).optional(), institutionId: z.uuid().optional() });

/** What the VM list needs to stay current: power state, runs, addresses, request status. */
const VM_LIST_EVENT_KINDS = ['vm', 'run', 'address', 'request.status'] as const;

const badResumeId = () =>
  new AppError(
    ErrorCode.ValidationFailed,
    { id: 'Last-Event-ID harus berupa nomor peristiwa.', en: 'Last-Event-ID must be an event number.' },
    [{ path: 'lastEventId', message: 'digits only', code: 'invalid_format' }],
  );

/** The SSE envelope of a stored event (docs/live-status.md). */
export function eventEnvelope(row: RequestEventRow) {
  return { id: row.id, requestId: row.requestId, kind: row.kind, at: row.at.toISOString(), data: row.data };
}

/**
 * GET /vps-requests/:id/events — Server-Sent Events of every change of a request. Same tenancy
 * as GET /vps-requests/:id (404 before any stream starts); resumable with Last-Event-ID.
 * Institution roles get the same redactions as the request view (eventDataFor).
 */
export function requestEventRoutes({ router, registry, deps }: RoutesContext): void {
  const { db } = deps;
  // Without an injected hub (tests or tools building the app directly) streams still work by polling.
  const hub = deps.requestEvents ?? new RequestEventHub({ db, logger: deps.logger });

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/vps-requests/{id}/events',
      tag: 'vps-requests',
      summary: 'Aliran status langsung (SSE) / live status stream (SSE)',
      access: 'user',
      params: ZIdParam,
      query: ZEventsQuery,
      writes: 'text/event-stream',
    },
    async ({ req, res, auth, params, query }) => {
      const request = await findVpsRequest(db, params.id);
      if (!request || !canSeeInstitution(actorOf(auth), request.institutionId)) throw new AppError(ErrorCode.NotFound);
      const resume = parseLastEventId(req.get('last-event-id') ?? query.lastEventId);
      if (resume === null) throw badResumeId();

      const ticket = hub.admit(auth.user.id);
      try {
        // An id beyond anything written (another database, a forged header) cannot be resumed, nor
        // one whose following events were pruned (older than the retention): start over with a snapshot.
        const resumable = resume !== undefined && resume <= (await latestEventId(db)) && resume >= (await requestEventsPrunedThrough(db));
        const snapshot = resumable ? undefined : await loadRequestSnapshot(db, request.id);
        if (!resumable && !snapshot) throw new AppError(ErrorCode.NotFound);
        const stream = openEventStream(req, res, hub.streamOptions);
        const actor = actorOf(auth);
        if (snapshot)
          stream.send('snapshot', snapshot.lastEventId, {
            id: snapshot.lastEventId,
            requestId: request.id,
            kind: 'snapshot',
            at: new Date().toISOString(),
            data: requestViewFor(actor, snapshot.view),
          });
        const deliver = (row: RequestEventRow) => {
          const envelope = eventEnvelope(row);
          stream.send(row.kind, row.id, { ...envelope, data: eventDataFor(actor, row.kind, envelope.data) });
        };
        const unsubscribe = hub.subscribe(
          request.id,
          snapshot?.lastEventId ?? resume ?? 0,
          {
            get closed() {
              return stream.closed;
            },
            deliver,
            close: () => stream.close(),
          },
          ticket,
        );
        stream.onClose(unsubscribe);
      } catch (error) {
        ticket.release();
        throw error;
      }
    },
  );

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/vms/events',
      tag: 'vms',
      summary: 'Aliran perubahan VM (SSE) / live changes of the VMs (SSE)',
      access: 'user',
      query: ZVmEventsQuery,
      writes: 'text/event-stream',
    },
    async ({ req, res, auth, query }) => {
      const actor = actorOf(auth);
      // The VM list's scope: another institution's id is 404, as for GET /vms.
      const institutionId = listScope(actor, query.institutionId) ?? null;
      const resume = parseLastEventId(req.get('last-event-id') ?? query.lastEventId);
      if (resume === null) throw badResumeId();
      const ticket = hub.admit(auth.user.id);
      try {
        const latest = await latestEventId(db);
        // No snapshot here: the list is read with GET /vms when the stream opens. A position that
        // cannot be resumed (beyond the newest, or pruned) starts from now; the client re-reads the list.
        const start = resume !== undefined && resume <= latest && resume >= (await requestEventsPrunedThrough(db)) ? resume : latest;
        const stream = openEventStream(req, res, hub.streamOptions);
        const unsubscribe = hub.subscribeScope(
          institutionId,
          VM_LIST_EVENT_KINDS,
          start,
          {
            get closed() {
              return stream.closed;
            },
            deliver: (row) => {
              const envelope = eventEnvelope(row);
              stream.send(row.kind, row.id, { ...envelope, data: eventDataFor(actor, row.kind, envelope.data) });
            },
            close: () => stream.close(),
          },
          ticket,
        );
        stream.onClose(unsubscribe);
      } catch (error) {
        ticket.release();
        throw error;
      }
    },
  );
}
