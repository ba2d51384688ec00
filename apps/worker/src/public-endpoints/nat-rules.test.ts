import type { PublicEndpoint } from '@betang/db';
import { createServer } from 'node:net';
import { renderMappingsJson, renderNftables } from './nat-rules';
import { probeTcpPorts } from './probe-ports';

const endpoint = (publicAddress: string, privateAddress: string, ports: number[]): PublicEndpoint => ({
  id: `id-${publicAddress}`,
  requestId: `req-${publicAddress}`,
  vmId: `vm-${publicAddress}`,
  mechanism: 'nat',
  publicAddress,
  privateAddress,
  ports,
  openPorts: null,
  probedAt: null,
});

describe('the NAT rules for the edge', () => {
  it('should forward only the declared ports, map each VM out through its own address, and replace the table whole', () => {
    const text = renderNftables([endpoint('203.0.113.11', '10.120.0.6', []), endpoint('203.0.113.9', '10.120.0.5', [443, 80])]);
    expect(text.split('\n').filter((l) => l.includes('dnat') || l.includes('snat'))).toEqual([
      '    ip daddr 203.0.113.9 tcp dport { 80, 443 } dnat to 10.120.0.5',
      '    ip saddr 10.120.0.5 snat to 203.0.113.9',
      '    ip saddr 10.120.0.6 snat to 203.0.113.11',
    ]);
    // Create-if-missing, delete, create: `nft -f` swaps the table in one transaction.
    expect(text).toMatch(/^table ip betang_nat\ndelete table ip betang_nat\ntable ip betang_nat \{$/m);
  });

  it('should render the same text for the same endpoints in any order, and an empty table for none', () => {
    const a = endpoint('203.0.113.10', '10.0.0.1', [22]);
    const b = endpoint('203.0.113.2', '10.0.0.2', [80]);
    expect(renderNftables([a, b])).toBe(renderNftables([b, a]));
    expect(renderMappingsJson([a, b])).toBe(renderMappingsJson([b, a]));
    expect(renderNftables([])).not.toMatch(/nat to/);
    expect(JSON.parse(renderMappingsJson([])).mappings).toEqual([]);
  });
});

describe('probing the declared ports', () => {
  it('should call open only a port that completes a TCP handshake', async () => {
    const server = createServer((s) => s.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const open = (server.address() as { port: number }).port;
    const other = createServer();
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const closed = (other.address() as { port: number }).port;
    await new Promise((resolve) => other.close(resolve));
    try {
      expect(await probeTcpPorts('127.0.0.1', [closed, open])).toEqual([open]);
      expect(await probeTcpPorts('127.0.0.1', [])).toEqual([]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
