import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';

/** Sends one request to slirp4netns's API socket and returns the parsed reply. */
function slirpApi(socketPath: string, request: object): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const sock = connect(socketPath);
    let data = '';
    sock.on('connect', () => sock.end(JSON.stringify(request)));
    sock.on('data', (chunk) => (data += chunk.toString()));
    sock.on('error', reject);
    sock.on('close', () => {
      try {
        resolve(JSON.parse(data) as Record<string, unknown>);
      } catch {
        reject(new Error(`slirp4netns API: unexpected reply ${JSON.stringify(data)}`));
      }
    });
  });
}

async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Gives the network namespace of `pid` a user-mode uplink (tap0, 10.0.2.100/24) and forwards
 * 127.0.0.1:hostPort to the guest's guestPort. The host loopback is hidden from the guest
 * (--disable-host-loopback), so nothing inside can reach the test machine's services.
 */
export async function startSlirp(pid: number, socketPath: string, hostPort: number, guestPort: number): Promise<ChildProcess> {
  const child = spawn('slirp4netns', ['--configure', '--disable-host-loopback', '--api-socket', socketPath, String(pid), 'tap0'], {
    stdio: 'ignore',
  });
  let exited = false;
  child.on('exit', () => (exited = true));
  await waitFor(() => exited || existsSync(socketPath), 10_000, 'slirp4netns API socket');
  if (exited) throw new Error('slirp4netns exited early');
  const reply = await slirpApi(socketPath, {
    execute: 'add_hostfwd',
    arguments: { proto: 'tcp', host_addr: '127.0.0.1', host_port: hostPort, guest_port: guestPort },
  });
  if (!reply.return) throw new Error(`slirp4netns add_hostfwd failed: ${JSON.stringify(reply)}`);
  return child;
}
