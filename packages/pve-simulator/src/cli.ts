/**
 * Standalone PVE simulator: `npm run sim -- --port 8006 --flavour pve9 --time-factor 1 --seed 7
 * --guests emulated|qemu --storage shared|local [--api-per-node] [--access access.json] [--estate 100]`
 * (env: PVE_SIM_PORT, PVE_SIM_HOST, PVE_SIM_FLAVOUR, PVE_SIM_TIME_FACTOR, PVE_SIM_SEED, BETANG_SIM_GUESTS,
 * PVE_SIM_STORAGE, PVE_SIM_ACCESS, PVE_SIM_ESTATE). `--estate N` seeds N hand-made VMs without Betang's
 * marker (state/estate.ts), the estate an office already runs before Betang. The access file is `{ "tokens": [...], "roles": {...}, "acls": [...] }`
 * (SimulatorOptions.tokens and .access); roles and ACLs can also be changed while it runs through
 * /_sim/access/{load,acl,role}.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { AccessSpec } from './access/access-spec';
import type { Flavour, TokenSpec } from './options';
import { startSimulator } from './simulator';

const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  flavour: { type: 'string' },
  'time-factor': { type: 'string' },
  seed: { type: 'string' },
  guests: { type: 'string' },
  access: { type: 'string' },
  storage: { type: 'string' },
  estate: { type: 'string' },
  'api-per-node': { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

type StringFlag = Exclude<keyof typeof OPTIONS, 'help' | 'api-per-node'>;

function usage(problem: string): never {
  console.error(`pve-simulator: ${problem}`);
  console.error(
    'usage: sim [--port 8006] [--host 127.0.0.1] [--flavour pve8|pve9] [--time-factor 1] [--seed 1] [--guests emulated|qemu] [--storage shared|local] [--api-per-node] [--access access.json] [--estate 100]',
  );
  process.exit(2);
}

// node:util's parser: --name value and --name=value, and a mistyped or valueless flag is an
// error rather than silently falling back to the default.
function readFlags(): { values: Partial<Record<StringFlag, string>>; help: boolean; apiPerNode: boolean } {
  try {
    const { values } = parseArgs({ args: process.argv.slice(2), options: OPTIONS, strict: true, allowPositionals: false });
    const { help, 'api-per-node': apiPerNode, ...rest } = values;
    return { values: rest, help: help === true, apiPerNode: apiPerNode === true };
  } catch (error) {
    return usage(error instanceof Error ? error.message : String(error));
  }
}

const flags = readFlags();
function flag(name: StringFlag, env: string): string | undefined {
  return flags.values[name] ?? process.env[env];
}

async function main(): Promise<void> {
  if (flags.help) usage('help');
  const port = Number(flag('port', 'PVE_SIM_PORT') ?? 8006);
  const host = flag('host', 'PVE_SIM_HOST') ?? '127.0.0.1';
  const flavour = (flag('flavour', 'PVE_SIM_FLAVOUR') ?? 'pve9') as Flavour;
  const timeFactor = Number(flag('time-factor', 'PVE_SIM_TIME_FACTOR') ?? 1);
  const seed = Number(flag('seed', 'PVE_SIM_SEED') ?? 1);
  if (!Number.isInteger(port) || port < 0 || port > 65535) usage(`invalid port '${port}'`);
  if (flavour !== 'pve8' && flavour !== 'pve9') usage(`invalid flavour '${String(flavour)}'`);
  if (!Number.isFinite(timeFactor) || timeFactor < 0) usage('invalid time factor');
  if (!Number.isInteger(seed)) usage('invalid seed');
  const guests = flag('guests', 'BETANG_SIM_GUESTS') ?? 'emulated';
  if (guests !== 'emulated' && guests !== 'qemu') usage(`invalid guest mode '${guests}' (emulated or qemu)`);

  const storageLayout = flag('storage', 'PVE_SIM_STORAGE') ?? 'shared';
  if (storageLayout !== 'shared' && storageLayout !== 'local') usage(`invalid storage layout '${storageLayout}' (shared or local)`);

  const estateCount = Number(flag('estate', 'PVE_SIM_ESTATE') ?? 0);
  if (!Number.isInteger(estateCount) || estateCount < 0 || estateCount > 5000) usage('invalid estate size (0–5000 VMs)');

  const apiPerNode = flags.apiPerNode;
  const accessFile = flag('access', 'PVE_SIM_ACCESS');
  let access: { tokens?: TokenSpec[] } & AccessSpec = {};
  if (accessFile) {
    try {
      access = JSON.parse(readFileSync(accessFile, 'utf8')) as typeof access;
    } catch (e) {
      usage(`cannot read access file '${accessFile}': ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const sim = await startSimulator({
    port,
    host,
    flavour,
    timeFactor,
    seed,
    guests,
    storageLayout,
    apiPerNode,
    ...(estateCount > 0 ? { estate: { count: estateCount } } : {}),
    ...(access.tokens ? { tokens: access.tokens } : {}),
    access: { roles: access.roles ?? {}, acls: access.acls ?? [] },
  });
  const caFile = join(tmpdir(), `pve-sim-${sim.port}-ca.pem`);
  writeFileSync(caFile, sim.caPem);
  const auth = `Authorization: PVEAPIToken=${sim.tokenId}=${sim.tokenSecret}`;
  console.log(`Simulator PVE (${flavour}) siap / PVE simulator (${flavour}) ready: ${sim.url}/api2/json`);
  console.log(`  token id     : ${sim.tokenId}`);
  console.log(`  token secret : ${sim.tokenSecret}`);
  console.log(`  login        : ${sim.username} / ${sim.password}`);
  console.log(`  fingerprint  : ${sim.fingerprint}`);
  if (apiPerNode)
    console.log(`  PVE_URL      : ${sim.endpoints.map((e) => e.url).join(',')}  (${sim.endpoints.map((e) => e.node).join(', ')})`);
  console.log(`  CA file      : ${caFile}`);
  console.log(`  time factor  : ${timeFactor}, seed ${seed}`);
  console.log(
    `  storage      : ${storageLayout === 'local' ? 'local (local-lvm per node, templates 9000/9001, 9100/9101, 9200/9201 on each node)' : 'shared (ceph; templates 9000/9001 on pve1)'}`,
  );
  if (estateCount > 0) console.log(`  estate       : ${estateCount} VM buatan tangan / hand-made VMs (vmid 101…)`);
  console.log(`  guests       : ${guests === 'qemu' ? 'qemu (real Debian cloud guests; SSH via GET /_sim/guest/ssh/<vmid>)' : 'emulated'}`);
  console.log('');
  console.log(`  curl --cacert ${caFile} -H '${auth}' ${sim.url}/api2/json/cluster/resources`);
  console.log(`  curl -k -H '${auth}' ${sim.url}/api2/json/version`);
  console.log(`  curl -k ${sim.url}/_sim/state/vms   # admin API (faults, state)`);

  let stopping = false;
  const stop = (sig: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${sig}: berhenti / stopping`);
    sim.close().then(
      () => process.exit(0),
      (e: unknown) => {
        console.error(e);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
