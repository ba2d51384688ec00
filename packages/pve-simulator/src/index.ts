export { startSimulator } from './simulator';
export type { RunningSimulator } from './simulator';
export type { NodeEndpoint } from './server/node-apis';
export type { SimulatorOptions, Flavour, StorageLayout, TokenSpec } from './options';
export {
  perNodeTemplates,
  LOCAL_STORAGES,
  DEFAULT_TOKEN_ID,
  DEFAULT_TOKEN_SECRET,
  DEFAULT_NODES,
  DEFAULT_STORAGES,
  DEFAULT_TEMPLATES,
} from './options';
export type { Faults, RouteFaultInput } from './faults/faults-controller';
export type { GuestCommandHandler, GuestCommandResult } from './faults/fault-state';
export type { StateReader } from './state/state-reader';
export type { GuestCommandRecord } from './guest/guest-hub';
export type { AgentPlan, HostDns, NodeSpec, StorageSpec, TemplateSpec, VmSnapshot } from './state/types';
export { formatUpid, parseUpid } from './tasks/upid';
export type { UpidFields } from './tasks/upid';
export type { AccessSpec, AclSpec } from './access/access-spec';
export { handMadeEstate } from './state/estate';
export type { EstateVmSpec } from './state/estate';
export type { EstateOptions } from './state/types';
