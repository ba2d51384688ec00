import { P } from '../server/params';
import type { Route } from '../server/router';
import type { Sim } from '../sim-context';
import { authIdOf } from '../sim-context';

const TYPES = [
  'bridge',
  'bond',
  'eth',
  'alias',
  'vlan',
  'fabric',
  'OVSBridge',
  'OVSBond',
  'OVSPort',
  'OVSIntPort',
  'vnet',
  'any_bridge',
  'any_local_bridge',
  'include_sdn',
];

/**
 * check_sdn_bridge: SDN.Audit or SDN.Use on `/sdn/zones/localnetwork/<bridge>`, or on one of
 * the VLANs under it that has an ACL.
 */
function canSeeBridge(sim: Sim, authid: string, bridge: string): boolean {
  if (authid === 'root@pam') return true;
  const path = `/sdn/zones/localnetwork/${bridge}`;
  const privs = ['SDN.Audit', 'SDN.Use'];
  if (sim.access.checkAny(authid, path, privs, true)) return true;
  return sim.access.listAcls().some((a) => a.path.startsWith(`${path}/`) && sim.access.checkAny(authid, a.path, privs, true));
}

/** GET /nodes/{node}/network: the node's bridges (VLAN-aware), only those the caller may see. */
export const networkRoutes: Array<Route<Sim>> = [
  {
    method: 'GET',
    path: '/nodes/{node}/network',
    schema: { node: P.node, type: { type: 'string', optional: true, enum: TYPES } },
    handler: ({ sim, params, auth }) => {
      const node = sim.state.node(String(params.node));
      const type = params.type === undefined ? undefined : String(params.type);
      if (type !== undefined && !['bridge', 'any_bridge', 'any_local_bridge', 'include_sdn'].includes(type)) return [];
      const id = authIdOf(auth);
      return node.bridges
        .filter((b) => canSeeBridge(sim, id, b))
        .map((iface, i) => {
          // A bridge with `bridge-ports none` is listed without ports (PVE::INotify drops the key).
          const ports = node.isolatedBridges.includes(iface) ? {} : { bridge_ports: `eno${i + 1}` };
          return {
            iface,
            type: 'bridge',
            active: 1,
            autostart: 1,
            method: 'manual',
            method6: 'manual',
            families: ['inet'],
            ...ports,
            bridge_stp: 'off',
            bridge_fd: '0',
            bridge_vlan_aware: 1,
            'bridge-vids': '2-4094',
            priority: i + 3,
          };
        });
    },
  },
];
