/*
 * A standalone simulated PVE cluster for the worker's cross-process tests: started as a child
 * process, prints one JSON line {url, tokenId, tokenSecret, caFile, pid} when ready. Its guests
 * emulate Debian over SSH (apps/worker/src/testing/fake-debian-guest.ts): the spec of a VM comes
 * from its config (name, institution tag, sshkeys minus the platform key in PLATFORM_PUBLIC_KEY)
 * and the approved ports from the JSON file GUEST_PORTS_FILE ({hostname: ports}).
 */
import { startSimulator } from '@betang/pve-simulator';
import { serveSimulatorChild } from './sim-child';

async function main(): Promise<void> {
  const sim = await startSimulator({
    timeFactor: Number(process.env.SIM_TIME_FACTOR ?? '0.02'),
    seed: 5,
    agentBootSeconds: 20,
    authFailureDelayMs: 5,
  });
  serveSimulatorChild(sim, 'betang-sim');
}

void main();
