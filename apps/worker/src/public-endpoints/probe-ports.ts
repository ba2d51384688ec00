import { connect } from 'node:net';

/** How long one port may take to accept a connection before it counts as not answering. */
export const PROBE_TIMEOUT_MS = 3_000;

function answers(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * The ports of `host` that accept a TCP connection now (a completed handshake, nothing sent),
 * ascending. A refused, reset, unreachable or silent port is not open. Read-only, safe to repeat.
 */
export async function probeTcpPorts(host: string, ports: readonly number[], timeoutMs = PROBE_TIMEOUT_MS): Promise<number[]> {
  const results = await Promise.all(ports.map(async (port) => ((await answers(host, port, timeoutMs)) ? port : null)));
  return results.filter((p): p is number => p !== null).sort((a, b) => a - b);
}
