import { toPathTemplate } from './path-template';

describe('toPathTemplate', () => {
  it.each([
    ['/api2/json/nodes/pve1/qemu/9000/clone', '/nodes/{node}/qemu/{vmid}/clone'],
    ['/api2/json/nodes/*/qemu/*/clone', '/nodes/{node}/qemu/{vmid}/clone'],
    [
      '/nodes/pve1/tasks/UPID:pve1:003A5F21:0B2C8E11:6702A1B3:qmclone:9000:provisioner@pve!worker:/status',
      '/nodes/{node}/tasks/{upid}/status',
    ],
    ['/cluster/resources?type=vm', '/cluster/resources'],
    ['/cluster/nextid', '/cluster/nextid'],
    ['/nodes/pve1/qemu/101/agent/network-get-interfaces', '/nodes/{node}/qemu/{vmid}/agent/network-get-interfaces'],
    ['/nodes/pve1/storage/local-lvm/content', '/nodes/{node}/storage/{storage}/content'],
    ['/nodes/pve1/qemu/101/firewall/rules/3', '/nodes/{node}/qemu/{vmid}/firewall/rules/{pos}'],
    ['/access/users/provisioner@pve/token/worker', '/access/users/{userid}/token/{tokenid}'],
    ['/api2/json', '/'],
  ])('should map %s', (path, template) => {
    expect(toPathTemplate(path)).toBe(template);
  });

  it('should keep hostile segments out of metric labels', () => {
    expect(toPathTemplate('/cluster/<script>alert(1)<%2Fscript>/x')).toBe('/cluster/{id}/x');
    expect(toPathTemplate('/cluster/AAAA%2F..%2Fetc')).toBe('/cluster/{id}');
    expect(toPathTemplate('/a/'.repeat(100)).split('/').length).toBeLessThanOrEqual(17);
  });
});
