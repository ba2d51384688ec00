import { z } from 'zod';

/**
 * `POST /vms/{id}/console`: a one-use ticket for the console websocket. The browser opens
 * `wsPath?ticket=…` (same origin) within `expiresAt`; the ticket is Betang's own — no Proxmox
 * ticket ever reaches the browser.
 */
export const ZConsoleTicket = z.object({
  sessionId: z.uuid(),
  ticket: z.string().min(32).max(100),
  wsPath: z.string().startsWith('/api/v1/'),
  expiresAt: z.string(),
  idleMinutes: z.number().int(),
});
export type ConsoleTicket = z.infer<typeof ZConsoleTicket>;

/** Console settings (operators): minutes without typing after which a session is closed. */
export const ZConsoleSettings = z.strictObject({
  idleMinutes: z.number().int().min(1).max(240),
});
export type ConsoleSettings = z.infer<typeof ZConsoleSettings>;
export const DEFAULT_CONSOLE_SETTINGS: ConsoleSettings = { idleMinutes: 15 };

/**
 * Close codes the console websocket uses beyond RFC 6455's, so the page can say why in the
 * reader's language: the session idled out, the VM's console is not available, or the ticket
 * was refused before anything opened.
 */
export const CONSOLE_CLOSE = {
  /** No input for the idle period (setting `console.idleMinutes`). */
  idle: 4000,
  /** Proxmox refused or ended the console (VM stopped, no serial port, cluster unreachable). */
  unavailable: 4001,
  /** The ticket is unknown, used or expired, or the signed-in user is not the one it was made for. */
  refused: 4003,
} as const;
