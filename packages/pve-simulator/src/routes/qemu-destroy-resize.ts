import { die } from '../server/pve-error';
import { P } from '../server/params';
import type { Route } from '../server/router';
import type { Sim } from '../sim-context';
import { beforeWorker, ownerOf, requirePriv, rootOnly } from '../sim-context';
import { configDigest } from '../state/config-wire';
import { configDisks, parseDisk, printDisk } from '../state/disks';
import { parseSize } from '../state/formats';
import { removeHaResource } from '../state/ha-manager';
import { checkLock, lockVm, stillThere } from './vm-helpers';

const RESIZE_DISKS = [
  ...[0, 1, 2, 3].map((i) => `ide${i}`),
  ...Array.from({ length: 31 }, (_, i) => `scsi${i}`),
  ...Array.from({ length: 16 }, (_, i) => `virtio${i}`),
  ...Array.from({ length: 6 }, (_, i) => `sata${i}`),
  'efidisk0',
  'tpmstate0',
];

/** DELETE /nodes/{node}/qemu/{vmid} and PUT resize. */
export const destroyResizeRoutes: Array<Route<Sim>> = [
  {
    method: 'DELETE',
    path: '/nodes/{node}/qemu/{vmid}',
    schema: { node: P.node, vmid: P.vmid, purge: P.bool, 'destroy-unreferenced-disks': P.bool, skiplock: P.bool },
    handler: (ctx) => {
      const { sim, params } = ctx;
      const vm = sim.state.vmOn(String(params.node), Number(params.vmid));
      rootOnly(ctx.auth, 'skiplock', params.skiplock === 1);
      beforeWorker(sim);
      if (vm.config.protection === '1') throw die(`can't remove VM ${vm.vmid} - protection mode enabled`);
      const haManaged = sim.state.ha.has(vm.vmid);
      if (haManaged && params.purge !== 1) throw die(`unable to remove VM ${vm.vmid} - used in HA resources and purge parameter not set.`);
      if (vm.power !== 'stopped') throw die(`VM ${vm.vmid} is running - destroy failed`);
      return sim.tasks.start(vm.node, 'qmdestroy', String(vm.vmid), ownerOf(ctx.auth), async (t) => {
        const release = await lockVm(sim, vm.vmid);
        try {
          stillThere(sim, vm);
          if (params.skiplock !== 1) checkLock(vm);
          if (vm.config.template === '1') {
            for (const [, d] of configDisks(vm.config)) {
              if (d.isCloudinit) continue;
              const base = `${d.storage}:${d.volume}`;
              const user = [...sim.state.vms.values()].find(
                (o) => o !== vm && configDisks(o.config).some(([, od]) => od.volume.startsWith(`${d.volume}/`)),
              );
              if (user) throw new Error(`base volume '${base}' is still in use by linked cloned`);
            }
          }
          vm.config.lock = 'destroyed';
          for (const [, d] of configDisks(vm.config)) t.log(`Removing image ${d.storage}:${d.volume}: 100% complete...done.`);
          if (sim.qemu) await sim.qemu.destroy(vm.vmid);
          else await t.sleep(1200);
          sim.state.vms.delete(vm.vmid);
          sim.state.setPool(vm.vmid, undefined);
          sim.guest.forget(vm.vmid);
          if (params.purge === 1) {
            t.log(`purging VM ${vm.vmid} from related configurations..`);
            if (removeHaResource(sim, vm.vmid)) t.log(`NOTE: removed VM ${vm.vmid} from HA resource configuration.`);
          }
        } finally {
          release();
        }
      });
    },
  },
  {
    method: 'PUT',
    path: '/nodes/{node}/qemu/{vmid}/resize',
    schema: {
      node: P.node,
      vmid: P.vmid,
      disk: { type: 'string', enum: RESIZE_DISKS },
      size: { type: 'string', pattern: /\+?\d+(\.\d+)?[KMGT]?/ },
      digest: P.digest,
      skiplock: P.bool,
    },
    handler: (ctx) => {
      const { sim, params } = ctx;
      const vm = sim.state.vmOn(String(params.node), Number(params.vmid));
      rootOnly(ctx.auth, 'skiplock', params.skiplock === 1);
      beforeWorker(sim);
      const disk = String(params.disk);
      const req = parseSize(String(params.size));
      return sim.tasks.start(vm.node, 'resize', String(vm.vmid), ownerOf(ctx.auth), async (t) => {
        const release = await lockVm(sim, vm.vmid);
        try {
          stillThere(sim, vm);
          if (params.digest !== undefined && params.digest !== configDigest(vm.config, vm.pending, vm.snapshots)) {
            throw new Error('checksum mismatch (file change by other user?)');
          }
          if (params.skiplock !== 1) checkLock(vm);
          const value = vm.config[disk];
          if (value === undefined) throw new Error(`disk '${disk}' does not exist`);
          const d = parseDisk(value);
          if (!d || d.isCdrom) throw new Error("you can't resize a cdrom");
          requirePriv(sim, ctx.auth, `/storage/${d.storage}`, 'Datastore.AllocateSpace');
          if (!req) throw new Error(`invalid size '${String(params.size)}'`);
          const newSize = req.add ? d.sizeBytes + req.bytes : req.bytes;
          if (newSize < d.sizeBytes) throw new Error('shrinking disks is not supported');
          if (newSize === d.sizeBytes) return;
          const st = sim.state.storage(d.storage);
          const free = (st?.totalGiB ?? 0) * 1024 ** 3 - sim.state.storageUsed(d.storage, vm.node);
          if (free < newSize - d.sizeBytes) throw new Error(`unable to resize volume on storage '${d.storage}': not enough free space`);
          await t.sleep(1000);
          vm.config[disk] = printDisk(d, newSize);
          t.log(`Image resized.`);
        } finally {
          release();
        }
      });
    },
  },
];
