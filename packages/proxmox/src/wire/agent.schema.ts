import { z } from 'zod';
import { ZPveBoolean, ZPveInt } from './coerce.schema';

/** `POST .../agent/exec` → the pid QGA gave the started process. */
export const ZAgentExecStarted = z.object({ pid: ZPveInt });

/**
 * `GET .../agent/exec-status?pid=` (PVE has already base64-decoded `out-data`/`err-data`;
 * `exited` passes through from QGA as a JSON boolean, older agents send 1/0).
 */
export const ZAgentExecStatus = z
  .object({
    exited: ZPveBoolean.optional(),
    exitcode: ZPveInt.optional(),
    signal: ZPveInt.optional(),
    'out-data': z.string().optional(),
    'err-data': z.string().optional(),
    'out-truncated': ZPveBoolean.optional(),
    'err-truncated': ZPveBoolean.optional(),
  })
  .catchall(z.unknown());
export type AgentExecStatus = z.infer<typeof ZAgentExecStatus>;

/** One filesystem of `GET .../agent/get-fsinfo` (QGA's GuestFilesystemInfo; byte counts are absent on old agents). */
export const ZAgentFilesystem = z
  .object({
    name: z.string(),
    mountpoint: z.string(),
    type: z.string(),
    'used-bytes': ZPveInt.optional(),
    'total-bytes': ZPveInt.optional(),
  })
  .catchall(z.unknown());
export type AgentFilesystem = z.infer<typeof ZAgentFilesystem>;
export const ZAgentFsInfo = z.object({ result: z.array(ZAgentFilesystem) });

/** `GET .../agent/get-osinfo` (QGA's GuestOSInfo; every field optional). */
export const ZAgentOsInfo = z.object({
  result: z
    .object({ id: z.string().optional(), 'pretty-name': z.string().optional(), 'kernel-release': z.string().optional() })
    .catchall(z.unknown()),
});
export type AgentOsInfo = z.infer<typeof ZAgentOsInfo>['result'];
