/*
 * A standalone simulated PVE cluster for the chaos suite and the benchmarks, started as a child
 * process the same way test/worker/support/sim-server.ts is (Debian guests emulated over SSH,
 * one JSON line {url, tokenId, tokenSecret, caFile, pid} on stdout when ready), plus:
 * - SIM_NODES nodes (pve1…pveN), SIM_STORAGE `shared` (default: templates on pve1 with ceph disks)
 *   or `local` (no shared storage; a Debian/Ubuntu template pair on every node's local-lvm,
 *   vmids 9000/9001, 9100/9101, …), SIM_TIME_FACTOR, SIM_SEED, SIM_AGENT_BOOT_SECONDS;
 * - a counter of every PVE API request and of the route faults this suite injected (recognised by
 *   the `[chaos]` reason phrase the fault carries), read at GET /_chaos/stats and reset by
 *   POST /_chaos/stats. It wraps the request listener from outside the simulator package.
 */
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { perNodeTemplates, startSimulator } from '@betang/pve-simulator';
import { serveSimulatorChild } from '../worker/support/sim-child';

/** What GET /_chaos/stats answers. */
export type SimStats = {
  requests: number;
  byStatus: Record<string, number>;
  injected: Record<string, number>;
  byRoute: Record<string, number>;
};

function emptyStats(): SimStats {
  return { requests: 0, byStatus: {}, injected: {}, byRoute: {} };
}

/** `/nodes/pve1/qemu/100004/config` → `/nodes/{node}/qemu/{vmid}/config` (bounded label set). */
function template(path: string): string {
  return path
    .replace(/^\/api2\/json/, '')
    .replace(/^\/nodes\/[^/]+/, '/nodes/{node}')
    .replace(/\/qemu\/\d+/, '/qemu/{vmid}')
    .replace(/\/tasks\/[^/]+/, '/tasks/{upid}');
}

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

function counting(listener: Listener, stats: { current: SimStats }): Listener {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/_chaos/stats') {
      if (req.method === 'POST') stats.current = emptyStats();
      const body = Buffer.from(JSON.stringify({ data: stats.current }));
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
      res.end(body);
      return;
    }
    if (path.startsWith('/api2/json')) {
      const s = stats.current;
      s.requests += 1;
      const key = `${req.method ?? 'GET'} ${template(path)}`;
      s.byRoute[key] = (s.byRoute[key] ?? 0) + 1;
      res.once('finish', () => {
        s.byStatus[res.statusCode] = (s.byStatus[res.statusCode] ?? 0) + 1;
        if (res.statusMessage?.includes('[chaos]')) s.injected[res.statusCode] = (s.injected[res.statusCode] ?? 0) + 1;
      });
    }
    listener(req, res);
  };
}

async function main(): Promise<void> {
  const stats = { current: emptyStats() };
  const original = https.createServer;
  // The simulator creates its server through this module object; wrap its listener once.
  (https as { createServer: unknown }).createServer = (options: https.ServerOptions, listener: Listener) =>
    original(options, counting(listener, stats));
  const nodeCount = Number(process.env.SIM_NODES ?? '3');
  const nodes = Array.from({ length: nodeCount }, (_, i) => ({
    name: `pve${i + 1}`,
    cpus: 64,
    memoryMiB: 512 * 1024,
    bridges: ['vmbr0', 'vmbr1'],
  }));
  const local = process.env.SIM_STORAGE === 'local';
  const sim = await startSimulator({
    timeFactor: Number(process.env.SIM_TIME_FACTOR ?? '0.02'),
    seed: Number(process.env.SIM_SEED ?? '5'),
    agentBootSeconds: Number(process.env.SIM_AGENT_BOOT_SECONDS ?? '20'),
    authFailureDelayMs: 5,
    nodes,
    storages: [
      // SIM_LOCAL_GIB: room for a whole night of backups when a suite backs up every VM here
      {
        id: 'local',
        type: 'dir',
        shared: false,
        content: 'iso,vztmpl,backup,snippets',
        totalGiB: Number(process.env.SIM_LOCAL_GIB ?? '100'),
      },
      { id: 'local-lvm', type: 'lvmthin', shared: false, content: 'images,rootdir', totalGiB: 20_000 },
      ...(local ? [] : [{ id: 'ceph', type: 'rbd' as const, shared: true, content: 'images,rootdir', totalGiB: 100_000 }]),
    ],
    ...(local ? { storageLayout: 'local' as const, templates: perNodeTemplates(nodes) } : {}),
  });
  https.createServer = original;
  serveSimulatorChild(sim, 'betang-chaos-sim');
}

void main();
