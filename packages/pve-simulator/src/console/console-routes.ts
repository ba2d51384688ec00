import { PveError } from '../server/pve-error';
import { P } from '../server/params';
import type { Route } from '../server/router';
import type { Sim } from '../sim-context';
import { authIdOf } from '../sim-context';

/** POST termproxy and GET vncwebsocket of qemu-server's API2/Qemu.pm (schema of PVE 9.1). */
export const consoleRoutes: Array<Route<Sim>> = [
  {
    method: 'POST',
    path: '/nodes/{node}/qemu/{vmid}/termproxy',
    schema: { node: P.node, vmid: P.vmid, serial: { type: 'string', optional: true, enum: ['serial0', 'serial1', 'serial2', 'serial3'] } },
    handler: (ctx) => {
      const { sim, params } = ctx;
      const vm = sim.state.vmOn(String(params.node), Number(params.vmid));
      return sim.terminals.start(vm, ctx.auth, params.serial === undefined ? undefined : String(params.serial));
    },
  },
  {
    // Called plainly it only checks the ticket and answers the port; with `Upgrade: websocket`
    // pveproxy runs the same handler first and then bridges to that port (ws-upgrade.ts).
    method: 'GET',
    path: '/nodes/{node}/qemu/{vmid}/vncwebsocket',
    schema: {
      node: P.node,
      vmid: P.vmid,
      vncticket: { type: 'string', maxLength: 512 },
      port: { type: 'integer', minimum: 5900, maximum: 5999 },
    },
    handler: (ctx) => {
      const { sim, params } = ctx;
      const vmid = Number(params.vmid);
      const port = Number(params.port);
      if (!sim.auth.verifyVncTicket(String(params.vncticket), authIdOf(ctx.auth), `/vms/${vmid}`, port)) {
        throw new PveError(500, 'permission denied - invalid PVEVNC ticket');
      }
      sim.state.vmOn(String(params.node), vmid);
      return { port: String(port) };
    },
  },
];
