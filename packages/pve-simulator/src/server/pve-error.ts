/**
 * An error the simulator answers the way pveproxy does: status, reason phrase = first line of
 * `message`, and (400) an `errors` map. Messages are stored without PVE's trailing newline.
 */
export class PveError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: Record<string, string>,
    /** When true the body is empty (401, proxy errors 595/596). */
    readonly emptyBody = false,
  ) {
    super(message);
    this.name = 'PveError';
  }
}

/** A plain `die` inside an API handler: HTTP 500 with the message as reason phrase. */
export function die(message: string): PveError {
  return new PveError(500, message);
}

/** Schema violation: HTTP 400 "Parameter verification failed." with the per-parameter map. */
export function paramError(errors: Record<string, string>): PveError {
  return new PveError(400, 'Parameter verification failed.', errors);
}

/** 595 as pveproxy reports a node whose own pveproxy refuses the forwarded request. */
export function nodeRefused(): PveError {
  return new PveError(595, 'Errors during connection establishment, proxy handshake: Connection refused', undefined, true);
}

/** 595 as pveproxy reports an unreachable node. */
export function nodeUnreachable(): PveError {
  return new PveError(595, 'Errors during connection establishment, proxy handshake: No route to host', undefined, true);
}
