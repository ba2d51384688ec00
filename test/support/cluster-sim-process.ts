import path from 'node:path';
import { startSimulatorProcess, type SimProcess } from '@betang/testkit';

export type { SimStats } from './cluster-sim';

/**
 * Starts the counting simulated cluster (cluster-sim.ts: SIM_NODES, SIM_TIME_FACTOR, SIM_SEED,
 * PLATFORM_PUBLIC_KEY; PVE request counters at /_chaos/stats) shared by the chaos suite and the
 * benchmarks, and resolves once it listens.
 */
export function startClusterSim(env: Record<string, string>): Promise<SimProcess> {
  return startSimulatorProcess(path.join(__dirname, 'cluster-sim.ts'), env, { logName: 'cluster-sim' });
}
