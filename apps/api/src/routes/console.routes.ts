import { AppError, DEFAULT_CONSOLE_SETTINGS, ErrorCode, ZConsoleSettings, ZConsoleTicket, ZIdParam, canSeeInstitution } from '@betang/core';
import { getSetting, insertConsoleSession, pruneConsoleSessions } from '@betang/db';
import { actorOf } from '../http/context';
import { route } from '../http/route';
import { CONSOLE_ROLES, CONSOLE_VM_STATES, CONSOLE_WS_PATH, consoleNotConfigured } from '../console/console-gateway';
import { hashSecret, randomSecret } from '../security/secrets';
import type { RoutesContext } from './router-context';

/** How long a console ticket waits for its websocket: the page opens it right away. */
const TICKET_SECONDS = 30;

/**
 * `POST /vms/{id}/console`: a one-use ticket for the console websocket (CONSOLE_WS_PATH) of a
 * VM the caller may operate — operators, or the owning institution's people; another
 * institution's VM is 404 like any foreign id. Only the ticket's hash is stored.
 */
export function consoleRoutes({ router, registry, deps }: RoutesContext): void {
  const { db } = deps;
  route(
    router,
    registry,
    {
      method: 'post',
      path: '/vms/{id}/console',
      tag: 'vms',
      summary: 'Buka konsol serial VM di peramban / open the VM’s serial console in the browser',
      access: CONSOLE_ROLES,
      // A console is a person at a keyboard: browser sessions only.
      scope: 'session-only',
      params: ZIdParam,
      response: ZConsoleTicket,
      status: 201,
    },
    async ({ auth, params }) => {
      const vm = await db.selectFrom('vms').select(['id', 'institutionId', 'state']).where('id', '=', params.id).executeTakeFirst();
      if (!vm || !canSeeInstitution(actorOf(auth), vm.institutionId)) throw new AppError(ErrorCode.NotFound);
      if (!CONSOLE_VM_STATES.has(vm.state))
        throw new AppError(ErrorCode.InvalidState, {
          id: 'Konsol hanya tersedia untuk VM yang menyala atau mati, bukan yang sedang dibuat, ditahan, atau dihapus.',
          en: 'The console is only available for a running or stopped VM, not one being built, retained or removed.',
        });
      if (!deps.console) throw consoleNotConfigured();
      // Each new ticket tidies a few old ones: no separate job for a table this small.
      await pruneConsoleSessions(db);
      const ticket = randomSecret(32);
      const expiresAt = new Date(Date.now() + TICKET_SECONDS * 1000);
      const sessionId = await insertConsoleSession(db, { vmId: vm.id, userId: auth.user.id, ticketHash: hashSecret(ticket), expiresAt });
      const settings = await getSetting(db, 'console_settings', ZConsoleSettings, DEFAULT_CONSOLE_SETTINGS);
      return { sessionId, ticket, wsPath: CONSOLE_WS_PATH, expiresAt: expiresAt.toISOString(), idleMinutes: settings.idleMinutes };
    },
  );
}
