import type { IncomingMessage, RequestListener } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Server } from 'node:https';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { NodeApiControl } from '../sim-context';

/** One node's API port as a client sees it. */
export type NodeEndpoint = { node: string; url: string; port: number };

/** A server's `upgrade` event handler (websockets). */
export type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

type Entry = { server: Server; port: number; up: boolean };

/**
 * One HTTPS server per node, each the node's own pveproxy: the same cluster answers on every
 * port, and one node's port can be closed (connections refused) and reopened on the same port.
 */
export class NodeApis implements NodeApiControl {
  private readonly servers = new Map<string, Entry>();

  constructor(
    private readonly host: string,
    private readonly tls: { keyPem: string; certPem: string },
  ) {}

  /** Starts `node`'s server on `port` (0 = random) and returns where it listens. */
  async start(node: string, port: number, listener: RequestListener, upgrade?: UpgradeListener): Promise<NodeEndpoint> {
    const server = createServer({ key: this.tls.keyPem, cert: this.tls.certPem }, listener);
    if (upgrade) server.on('upgrade', upgrade);
    await listen(server, port, this.host);
    const actual = (server.address() as AddressInfo).port;
    this.servers.set(node, { server, port: actual, up: true });
    return { node, url: urlOf(this.host, actual), port: actual };
  }

  isDown(node: string): boolean {
    return this.servers.get(node)?.up === false;
  }

  async setUp(node: string, up: boolean): Promise<void> {
    const e = this.servers.get(node);
    if (!e) throw new Error(`node ${node} has no API port of its own`);
    if (e.up === up) return;
    e.up = up;
    if (up) await listen(e.server, e.port, this.host);
    else await stop(e.server);
  }

  /** Every node's endpoint, in node order. */
  endpoints(): NodeEndpoint[] {
    return [...this.servers].map(([node, e]) => ({ node, url: urlOf(this.host, e.port), port: e.port }));
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.servers.values()].filter((e) => e.up).map((e) => stop(e.server)));
    for (const e of this.servers.values()) e.up = false;
  }
}

function urlOf(host: string, port: number): string {
  return `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function stop(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
