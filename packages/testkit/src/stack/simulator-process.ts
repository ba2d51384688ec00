import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { startAnnouncingChild, type SpawnTsOptions, type TsChild } from './processes';

/** A simulated PVE cluster in a child process, as its entry announced it. */
export type SimProcess = { url: string; tokenId: string; tokenSecret: string; caFile: string; child: TsChild };

/**
 * Starts a simulator entry (a script that starts the simulator and prints one JSON line
 * {url, tokenId, tokenSecret, caFile}, like test/worker/support/sim-server.ts) and resolves once
 * it listens. Its output stays out of the log files: the announcement carries the API token.
 */
export function startSimulatorProcess(entry: string, env: Record<string, string>, options: SpawnTsOptions = {}): Promise<SimProcess> {
  return startAnnouncingChild<Omit<SimProcess, 'child'>>(entry, env, { logName: 'stack-sim', ...options, logToFiles: false });
}

/** Calls a simulator's own HTTPS endpoints (`/_sim/...`, or an entry's extras) trusting its CA; rejects on 4xx/5xx, resolves with `data`. */
export function simCall<T>(
  sim: Pick<SimProcess, 'url' | 'caFile'>,
  method: 'GET' | 'POST' | 'DELETE',
  pathname: string,
  body?: unknown,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(pathname, sim.url),
      { method, ca: readFileSync(sim.caFile, 'utf8'), headers: { 'content-type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          if ((res.statusCode ?? 500) >= 400) return reject(new Error(`${method} ${pathname}: ${res.statusCode} ${text}`));
          resolve((JSON.parse(text) as { data: T }).data);
        });
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
