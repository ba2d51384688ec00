import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningSimulator } from '@betang/pve-simulator';
import { fakeDebianGuests } from '../../../apps/worker/src/testing/fake-debian-guest';
import { specFromSimVm } from '../../../apps/worker/src/testing/provisioning-env';

/**
 * Serves a started simulator from a child process the way the cross-process tests expect: guests
 * emulate Debian (spec from the VM config minus PLATFORM_PUBLIC_KEY, approved ports from the JSON
 * file GUEST_PORTS_FILE, re-read on every lookup), the CA is written to a temporary file, one JSON
 * line {url, tokenId, tokenSecret, caFile, pid} goes to stdout, and SIGTERM/SIGINT close it.
 */
export function serveSimulatorChild(sim: RunningSimulator, caFilePrefix: string): void {
  const portsFile = process.env.GUEST_PORTS_FILE ?? '';
  const ports = {
    get: (hostname: string) => {
      if (!portsFile) return undefined;
      try {
        return (JSON.parse(readFileSync(portsFile, 'utf8')) as Record<string, number[]>)[hostname];
      } catch {
        return undefined;
      }
    },
  } as Map<string, number[]>;
  sim.faults.setGuestCommandHandler(fakeDebianGuests(specFromSimVm(sim, process.env.PLATFORM_PUBLIC_KEY ?? '', ports)));
  const caFile = join(tmpdir(), `${caFilePrefix}-${process.pid}-ca.pem`);
  writeFileSync(caFile, sim.caPem);
  process.stdout.write(
    `${JSON.stringify({ url: sim.url, tokenId: sim.tokenId, tokenSecret: sim.tokenSecret, caFile, pid: process.pid })}\n`,
  );
  const stop = () => void sim.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
