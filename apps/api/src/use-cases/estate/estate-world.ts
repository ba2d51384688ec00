import {
  estateConflicts,
  poolHolding,
  proposeOwner,
  trackedAddresses,
  type EstateConflict,
  type EstateDecisions,
  type EstateProposal,
  type EstateVmDto,
} from '@betang/core';
import { heldPoolAddresses, listEstateVms, listIpPools, liveAdoptions, liveVmidHolders, type EstateVmRow, type Executor } from '@betang/db';

type Pool = Awaited<ReturnType<typeof listIpPools>>[number];

/**
 * Everything the census view and an adoption judge a VM against, read once: the census, the
 * pools and their held addresses, the vmids Betang's rows hold, the live adoptions, and the
 * institutions and applications a proposal may name.
 */
export type EstateWorld = {
  census: EstateVmRow[];
  byVmid: Map<number, EstateVmRow>;
  pools: Pool[];
  held: Map<string, number | null>;
  vmidHolders: Map<number, string>;
  adoptions: Awaited<ReturnType<typeof liveAdoptions>>;
  censusHolders: Map<string, number[]>;
  institutions: { id: string; code: string; name: string }[];
  applications: { id: string; institutionId: string; name: string }[];
};

/** Reads the world of the census (see EstateWorld). Read-only. */
export async function loadEstateWorld(db: Executor): Promise<EstateWorld> {
  const [census, pools, held, vmidHolders, adoptions, institutions, applications] = await Promise.all([
    listEstateVms(db),
    listIpPools(db),
    heldPoolAddresses(db),
    liveVmidHolders(db),
    liveAdoptions(db),
    db.selectFrom('institutions').select(['id', 'code', 'name']).orderBy('code').execute(),
    db.selectFrom('applications').select(['id', 'institutionId', 'name']).where('status', '!=', 'retired').orderBy('name').execute(),
  ]);
  const censusHolders = new Map<string, number[]>();
  for (const vm of census) {
    if (adoptions.has(vm.vmid)) continue;
    for (const a of trackedAddresses(vm.addresses)) censusHolders.set(a.address, [...(censusHolders.get(a.address) ?? []), vm.vmid]);
  }
  return {
    census,
    byVmid: new Map(census.map((v) => [v.vmid, v])),
    pools,
    held,
    vmidHolders,
    adoptions,
    censusHolders,
    institutions,
    applications,
  };
}

/** The conflicts of one census VM in `world`, its decisions replaced by `decisions` when given. */
export function conflictsOf(world: EstateWorld, vm: EstateVmRow, decisions?: EstateDecisions): EstateConflict[] {
  const adopted = world.adoptions.get(vm.vmid);
  const holder = world.vmidHolders.get(vm.vmid);
  return estateConflicts(
    { ...vm, decisions: decisions ?? vm.decisions },
    {
      censusHolders: world.censusHolders,
      betangHolders: world.held,
      decisionsOf: (v) => world.byVmid.get(v)?.decisions ?? {},
      pools: world.pools,
      claimedBy: holder !== undefined && holder !== adopted?.vmId ? vm.vmid : undefined,
    },
  );
}

/** Betang's proposal for a census VM, or undefined. */
export function proposalOf(world: EstateWorld, vm: EstateVmRow): EstateProposal | undefined {
  return proposeOwner(vm, world.institutions, world.applications);
}

/** A census VM as the API returns it. */
export function toEstateVmDto(world: EstateWorld, vm: EstateVmRow): EstateVmDto {
  const adopted = world.adoptions.get(vm.vmid);
  const proposal = adopted ? undefined : proposalOf(world, vm);
  const inst = proposal ? world.institutions.find((i) => i.id === proposal.institutionId) : undefined;
  const app = proposal?.applicationId ? world.applications.find((a) => a.id === proposal.applicationId) : undefined;
  return {
    vmid: vm.vmid,
    node: vm.node,
    name: vm.name,
    tags: vm.tags,
    notes: vm.notes,
    cores: vm.cores,
    memoryMiB: vm.memoryMiB,
    diskGiB: vm.diskGiB,
    power: vm.power,
    agent: vm.agent,
    addresses: vm.addresses,
    inBetangRange: vm.inBetangRange,
    observedAt: vm.observedAt.toISOString(),
    status: adopted ? 'adopted' : 'unowned',
    proposal:
      proposal && inst
        ? {
            institutionId: proposal.institutionId,
            institutionCode: inst.code,
            applicationId: proposal.applicationId,
            applicationName: app?.name ?? null,
            reason: proposal.reason,
          }
        : null,
    conflicts: adopted ? [] : conflictsOf(world, vm),
    decisions: vm.decisions,
    vmId: adopted?.vmId ?? null,
  };
}

/** The pool an address of a VM goes into, if any. */
export function poolFor(world: EstateWorld, address: string): Pool | undefined {
  return poolHolding(world.pools, address);
}
