import { z } from 'zod';

/**
 * A VM's public endpoint (internet access): `publicAddress` mapped 1:1 (NAT) to the VM's private
 * address for the declared `ports`; `openPorts` are those of them that completed a TCP handshake
 * from the worker to the VM at `probedAt` (null before the first probe).
 */
export const ZPublicEndpoint = z.object({
  mechanism: z.enum(['nat']),
  publicAddress: z.string(),
  ports: z.array(z.number()),
  openPorts: z.array(z.number()).nullable(),
  probedAt: z.string().nullable(),
});
export type PublicEndpointDto = z.infer<typeof ZPublicEndpoint>;
