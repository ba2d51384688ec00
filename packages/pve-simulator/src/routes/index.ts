import type { Route } from '../server/router';
import type { Sim } from '../sim-context';
import { accessRoutes } from './access-routes';
import { cloudinitRoutes } from './cloudinit-routes';
import { clusterRoutes } from './cluster-routes';
import { extraRoutes } from './extra-routes';
import { networkRoutes } from './network-routes';
import { haRoutes } from './ha-routes';
import { poolRoutes } from './pool-routes';
import { agentRoutes } from './qemu-agent';
import { cloneRoute } from './qemu-clone';
import { restoreRoute } from './qemu-restore';
import { configRoutes } from './qemu-config';
import { destroyResizeRoutes } from './qemu-destroy-resize';
import { powerRoutes, templateRoute } from './qemu-power';
import { snapshotRoutes } from './qemu-snapshot';
import { statusRoutes } from './qemu-status';
import { taskRoutes } from './task-routes';
import { consoleRoutes } from '../console/console-routes';
import { vzdumpRoutes } from './vzdump-routes';

/** Every PVE endpoint the simulator implements (anything else answers 501). */
export const allRoutes: Array<Route<Sim>> = [
  ...accessRoutes,
  ...clusterRoutes,
  ...haRoutes,
  ...poolRoutes,
  ...taskRoutes,
  ...statusRoutes,
  ...configRoutes,
  ...powerRoutes,
  ...destroyResizeRoutes,
  ...snapshotRoutes,
  ...agentRoutes,
  ...cloudinitRoutes,
  ...extraRoutes,
  ...networkRoutes,
  ...consoleRoutes,
  ...vzdumpRoutes,
  cloneRoute,
  restoreRoute,
  templateRoute,
];
