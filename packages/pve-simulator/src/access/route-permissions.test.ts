import { allRoutes } from '../routes';
import { routePermissions } from './route-permissions';

describe('routePermissions', () => {
  it.each(['pve8', 'pve9'] as const)('should declare the schema permissions of every route the simulator serves (%s)', (flavour) => {
    const table = routePermissions(flavour);
    const missing = allRoutes.map((r) => `${r.method} ${r.path}`).filter((key) => table[key] === undefined);
    // A route without an entry is root@pam-only, as a PVE method without permissions.
    expect(missing).toEqual([]);
    const stale = Object.keys(table).filter((key) => !allRoutes.some((r) => `${r.method} ${r.path}` === key));
    expect(stale).toEqual([]);
  });
});
