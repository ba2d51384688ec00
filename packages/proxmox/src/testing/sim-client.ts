import type { RunningSimulator } from '@betang/pve-simulator';
import { startSimulator } from '@betang/pve-simulator';
import { createPveClient } from '../client/pve-client';
import type { PveClient, PveClientOptions } from '../client/pve-client';

export type SimHarness = {
  sim: RunningSimulator;
  client: PveClient;
  extra(o?: Partial<PveClientOptions>): PveClient;
  close(): Promise<void>;
};

/** Boots one simulated cluster on loopback and a client pinned to its certificate. Test-only. */
export async function bootSim(flavour: 'pve8' | 'pve9', timeFactor = 0.01, seed = 7, agentBootSeconds = 20): Promise<SimHarness> {
  const sim = await startSimulator({ flavour, timeFactor, seed, guestSsh: false, authFailureDelayMs: 10, agentBootSeconds });
  const clients: PveClient[] = [];
  const extra = (o: Partial<PveClientOptions> = {}): PveClient => {
    const c = createPveClient({
      baseUrl: sim.url,
      tokenId: sim.tokenId,
      tokenSecret: sim.tokenSecret,
      ca: sim.caPem,
      timeoutMs: 5_000,
      ...o,
    });
    clients.push(c);
    return c;
  };
  const client = extra();
  return {
    sim,
    client,
    extra,
    close: async () => {
      await Promise.all(clients.map((c) => c.close()));
      await sim.close();
    },
  };
}
