/*
 * A standalone simulated PVE cluster for the worker's cross-process tests: started as a child
 * process, prints one JSON line {url, tokenId, tokenSecret, caFile, pid} when ready. Its guests
 * emulate Debian over SSH (apps/worker/src/testing/fake-debian-guest.ts): the spec of a VM comes
 * from its config (name, institution tag, sshkeys minus the platform key in PLATFORM_PUBLIC_KEY)
 * and the approved ports from the JSON file GUEST_PORTS_FILE ({hostname: ports}).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '@betang/pve-simulator';
import { fakeDebianGuests } from '../../../apps/worker/src/testing/fake-debian-guest';
import { specFromSimVm } from '../../../apps/worker/src/testing/provisioning-env';

async function main(): Promise<void> {
  const sim = await startSimulator({ timeFactor: Number(process.env.SIM_TIME_FACTOR ?? '0.02'), seed: 5, agentBootSeconds: 20, authFailureDelayMs: 5 });
  const portsFile = process.env.GUEST_PORTS_FILE ?? '';
  const ports = {
    get: (hostname: string) => {
      try {
        return (JSON.parse(readFileSync(portsFile, 'utf8')) as Record<string, number[]>)[hostname];
      } catch {
        return undefined;
      }
    },
  } as Map<string, number[]>;
  sim.faults.setGuestCommandHandler(fakeDebianGuests(specFromSimVm(sim, process.env.PLATFORM_PUBLIC_KEY ?? '', ports)));
  const caFile = join(tmpdir(), `betang-sim-${process.pid}-ca.pem`);
  writeFileSync(caFile, sim.caPem);
  process.stdout.write(`${JSON.stringify({ url: sim.url, tokenId: sim.tokenId, tokenSecret: sim.tokenSecret, caFile, pid: process.pid })}\n`);
  const stop = () => void sim.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
