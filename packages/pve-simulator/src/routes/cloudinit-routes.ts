import { networkConfig, noCloudSeed, userData, type HostDns as SeedDns } from '../guest/qemu/cloud-init-seed';
import { P } from '../server/params';
import type { Route } from '../server/router';
import { canAccess, type Sim } from '../sim-context';
import type { HostDns } from '../state/types';

/** A node's resolv.conf as Cloudinit.pm get_dns_conf reads it: search split on blanks, dns1–3 that are set. */
function seedDnsOf(host: HostDns): SeedDns {
  return {
    search: (host.search ?? '').split(/\s+/).filter(Boolean),
    nameservers: [host.dns1, host.dns2, host.dns3].filter((d): d is string => Boolean(d)),
  };
}

/** `GET /nodes/{node}/dns` and the generated cloud-init config (`cloudinit/dump`). */
export const cloudinitRoutes: Array<Route<Sim>> = [
  {
    method: 'GET',
    path: '/nodes/{node}/dns',
    schema: { node: P.node },
    handler: ({ sim, params }) => {
      const node = sim.state.node(String(params.node));
      return { ...node.dns };
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/qemu/{vmid}/cloudinit/dump',
    // Cloudinit.pm dump_cloudinit_config in the NoCloud format (the default for Linux ostypes):
    // the same text the drive gets at start. `user` masks the password unless the caller may
    // change cloud-init settings (VM.Config.Cloudinit); `meta` hashes the unmasked user-data.
    schema: { node: P.node, vmid: P.vmid, type: { type: 'string', enum: ['user', 'network', 'meta'] } },
    handler: ({ sim, params, auth }) => {
      const vm = sim.state.vmOn(String(params.node), Number(params.vmid));
      const dns = seedDnsOf(sim.state.node(vm.node).dns);
      if (params.type === 'network') return networkConfig(vm.config, dns);
      if (params.type === 'meta') return noCloudSeed(vm.config, vm.vmid, dns)['meta-data'];
      return userData(vm.config, vm.vmid, !canAccess(sim, auth, `/vms/${vm.vmid}`, 'VM.Config.Cloudinit'));
    },
  },
];
