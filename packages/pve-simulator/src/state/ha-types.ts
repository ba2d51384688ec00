/** Requested state of an HA resource (pve-ha-manager's `state` property). */
export type HaState = 'started' | 'stopped' | 'disabled' | 'ignored';

/** One `vm:<vmid>` entry of resources.cfg. */
export interface HaResource {
  state: HaState;
  comment?: string;
  maxRestart: number;
  maxRelocate: number;
  /** Set while the LRM still has to bring the VM to `state` (the CRM/LRM rounds take seconds). */
  pendingTimer?: ReturnType<typeof setTimeout>;
}
