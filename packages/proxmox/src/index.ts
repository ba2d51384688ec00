export { createPveClient } from './client/pve-client';
export type { PveClient, PveClientOptions } from './client/pve-client';
export type { PveTransport } from './client/pve-transport';
export { vmClient } from './vm/vm-client';
export type { CloneParams, VmClient } from './vm/vm-client';
export type { AgentExecOptions, AgentExecResult, VmAgent } from './vm/vm-agent';
export type { TaskOptions } from './vm/task-call';
export { termproxyHandshake, vncWebsocketUrl, ZTermproxy } from './vm/vm-console';
export type { SerialPort, Termproxy, VncWebsocketTarget } from './vm/vm-console';
export type { CallOptions } from './client/request-engine';
export type { PveCallEvent, PveCallListener, PveCallOutcome } from './client/call-event';
export type { PveParams, PveParamValue } from './client/encode-params';
export type { PveEnvelope } from './client/parse-response';
export { toPathTemplate } from './client/path-template';
export { connectPinnedTls, fingerprintOfPem, parseFingerprint, PveTlsPinError } from './client/tls-dispatcher';

export { PveApiError } from './errors/pve-api-error';
export type { HttpMethod } from './errors/pve-api-error';
export { PveTransportError } from './errors/pve-transport-error';
export type { EndpointFailure, TransportFailure } from './errors/pve-transport-error';
export { classifyPveError } from './errors/classify-pve-error';
export type { PveErrorClass, PveErrorClassification, PveErrorCode } from './errors/pve-error-code';
export type { LocalizedText } from './errors/bilingual';

export { isUpid, parseUpid, UpidParseError, ZUpid } from './tasks/upid';
export type { Upid } from './tasks/upid';
export { waitForTask } from './tasks/wait-for-task';
export { readTaskState } from './tasks/task-state';
export type { TaskState } from './tasks/task-state';
export { DurationEstimates, nextPollDelay, TYPICAL_TASK_MS } from './tasks/poll-cadence';
export type { PollCadence } from './tasks/poll-cadence';
export type { TaskProgress, TaskResult, WaitForTaskOptions } from './tasks/wait-for-task';
export { PveTaskFailedError, PveTaskTimeoutError } from './tasks/pve-task-errors';
export type { TaskLogLine } from './tasks/pve-task-errors';
export { readTaskLog, readTaskLogTail } from './tasks/task-log';
export { exitStatusOutcome, ZTaskStatus } from './tasks/task-status.schema';
export type { TaskStatus } from './tasks/task-status.schema';

export { ZNextId, ZPveAgentEnabled, ZPveBoolean, ZPveInt, ZPveMemoryMiB, ZPveNumber, ZVmid } from './wire/coerce.schema';
export { formatTags, InvalidTagError, parseTags, ZPveTags } from './wire/tags';
export { assertSshPublicKey, decodeSshKeys, encodeSshKeys, InvalidSshKeyError } from './wire/ssh-keys';
export { ZClusterNode, ZClusterStorage, ZClusterVm } from './wire/resources.schema';
export type { ClusterNode, ClusterStorage, ClusterVm } from './wire/resources.schema';
export { ZAgentInterfaces, ZVmConfig, ZVmStatusCurrent } from './wire/vm.schema';
export { ZAgentExecStarted, ZAgentExecStatus } from './wire/agent.schema';
export type { AgentExecStatus, AgentFilesystem, AgentOsInfo } from './wire/agent.schema';
export { ZPveSnapshot } from './wire/snapshot.schema';
export type { PveSnapshot } from './wire/snapshot.schema';
export type { AgentInterface, VmConfig, VmStatusCurrent } from './wire/vm.schema';

export { AmbiguousTagError, findVmByTag, findVmsByTag, listClusterVms } from './helpers/find-vms-by-tag';
export { nextFreeVmid, VmidRangeExhaustedError } from './clone/next-free-vmid';
export type { NextFreeVmidOptions } from './clone/next-free-vmid';
export { clusterSnapshot, nodeCapacity } from './helpers/node-capacity';
export type { ClusterSnapshot, NodeCapacity, StorageCapacity } from './helpers/node-capacity';
export { assertOwnerMarker, carriesMarker, inspectVmid } from './clone/vmid-ownership';
export type { VmidState } from './clone/vmid-ownership';
export { isLocked, judgeLock, listActiveTasks, lockHolderAmong } from './helpers/lock-holder';
export type { ActiveTask, LockVerdict } from './helpers/lock-holder';
export { cloneToFreeVmid, lostRace as isCloneVmidLost } from './clone/clone-to-free-vmid';
export { CloneOutcomeUnknownError } from './errors/clone-outcome-unknown-error';
export { AgentExecTimeoutError } from './errors/agent-exec-timeout-error';
export type { CloneToFreeVmidOptions, CloneToFreeVmidResult } from './clone/clone-to-free-vmid';

export { createCallCounter } from './metrics/call-counter';
export type { CallCounter, CallCounterSnapshot } from './metrics/call-counter';

export { BETANG_OPERATIONS, parseBetangRole, privilegesFor, requiredGrants, ZBetangRole } from './access/betang-role';
export type { BetangOperation, BetangPrivilege, BetangRole, RequiredGrant, RoleTargets } from './access/betang-role';

export { backupClient, formatKeepOptions, VzdumpNotOnNodeError, ZBackupVolume } from './backup/backup-client';
export type { BackupClient, BackupVolume, KeepOptions, PruneMark, RestoreParams, VzdumpParams, VzdumpResult } from './backup/backup-client';
export { startRestore } from './backup/restore-start';
export type { RestoreStart } from './backup/restore-start';
