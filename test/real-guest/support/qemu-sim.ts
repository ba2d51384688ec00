/*
 * The simulated cluster of the real-guest test, as a child process: the simulator in `qemu` guest
 * mode (every started VM is a real Debian cloud guest under qemu). Prints one JSON line
 * {url, tokenId, tokenSecret, caFile, pid, runDir} on stdout when ready (the guest image is built
 * first when it is not cached); SIGTERM/SIGINT stop every guest and remove their disks.
 *   SIM_TIME_FACTOR (0.05): PVE task durations (clone, resize…); the guests boot in real time.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '@betang/pve-simulator';

async function main(): Promise<void> {
  const sim = await startSimulator({
    timeFactor: Number(process.env.SIM_TIME_FACTOR ?? '0.05'),
    seed: 13,
    authFailureDelayMs: 5,
    guests: 'qemu',
  });
  const caFile = join(tmpdir(), `betang-real-guest-sim-${process.pid}-ca.pem`);
  writeFileSync(caFile, sim.caPem);
  process.stdout.write(
    `${JSON.stringify({ url: sim.url, tokenId: sim.tokenId, tokenSecret: sim.tokenSecret, caFile, pid: process.pid })}\n`,
  );
  const stop = () => void sim.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
