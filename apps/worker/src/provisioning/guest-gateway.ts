import { request } from 'node:https';
import { connectGuest, type ConnectGuestOptions, type GuestConnection } from '@betang/guest';
import { transient } from '../harness/run-error';

/** How the worker reaches a guest's sshd and opens a pinned connection. */
export interface GuestGateway {
  /** host/port of the guest's sshd. */
  endpoint(vm: { vmid: number; node: string; address: string }): Promise<{ host: string; port: number }>;
  /** The host whose TCP ports are the guest's ports, for probing which of them answer. */
  probeHost(vm: { vmid: number; node: string; address: string }): Promise<string>;
  connect(options: ConnectGuestOptions): Promise<GuestConnection>;
}

/** Production: the guest's own address, port 22. */
export function addressGateway(): GuestGateway {
  return { endpoint: async (vm) => ({ host: vm.address, port: 22 }), probeHost: async (vm) => vm.address, connect: connectGuest };
}

/** Where the simulator listens and the CA its certificate chains to (TLS is always verified). */
type SimulatorTls = { baseUrl: string; ca: string };

/**
 * Simulator mode: a simulated VM's address is not routable, so ask the simulator's guest
 * endpoint lookup (`GET /_sim/guest/ssh/<vmid>` on the same HTTPS origin, same CA as the PVE
 * client). Read-only, safe to repeat.
 */
export function simulatorGateway(tls: SimulatorTls): GuestGateway {
  return {
    endpoint: async (vm) => {
      const data = await getJson(tls, `/_sim/guest/ssh/${vm.vmid}`);
      const ep = (data as { data?: { host?: unknown; port?: unknown } | null }).data;
      if (!ep || typeof ep.host !== 'string' || typeof ep.port !== 'number') {
        throw transient('GUEST_ENDPOINT_UNKNOWN', {
          id: `Simulator belum punya endpoint SSH untuk VM ${vm.vmid}.`,
          en: `The simulator has no SSH endpoint for VM ${vm.vmid} yet.`,
        });
      }
      return { host: ep.host, port: ep.port };
    },
    // A simulated guest's services listen where its sshd does (the loopback of the simulator's host).
    async probeHost(vm) {
      return (await this.endpoint(vm)).host;
    },
    connect: connectGuest,
  };
}

function getJson(tls: SimulatorTls, path: string): Promise<unknown> {
  const url = new URL(path, tls.baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'GET',
        timeout: 10_000,
        ca: tls.ca,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}
