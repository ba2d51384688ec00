import type { PveTransport } from '../client/pve-transport';
import type { CallOptions } from '../client/request-engine';
import { AgentExecTimeoutError } from '../errors/agent-exec-timeout-error';
import { abortableSleep } from '../util/abortable-sleep';
import type { AgentExecStatus, AgentFilesystem, AgentOsInfo } from '../wire/agent.schema';
import { ZAgentExecStarted, ZAgentExecStatus, ZAgentFsInfo, ZAgentOsInfo } from '../wire/agent.schema';
import type { AgentInterface } from '../wire/vm.schema';
import { ZAgentInterfaces } from '../wire/vm.schema';

/** What a finished guest-agent command left: exit code and its output (already decoded by PVE). */
export type AgentExecResult = { code: number; stdout: string; stderr: string };

export type AgentExecOptions = {
  /** Longest wait for the command to exit, in ms. */
  deadlineMs: number;
  signal?: AbortSignal;
  /** Delay between two exec-status polls (default 200 ms). */
  pollMs?: number;
};

/** The guest-agent calls of one VM (`/nodes/{node}/qemu/{vmid}/agent/...`). */
export type VmAgent = {
  /** `POST agent/exec`: starts argv (no shell) and returns QGA's pid. Not idempotent: every call starts a process. */
  execStart(argv: readonly string[], opts?: CallOptions): Promise<number>;
  /** `GET agent/exec-status`: whether the process exited, its code and output. Read-only. */
  execStatus(pid: number, opts?: CallOptions): Promise<AgentExecStatus>;
  /**
   * Runs argv and polls its status every `pollMs` until it exits; throws AgentExecTimeoutError
   * when it has not within `deadlineMs` or the signal aborted. The start is sent once (a lost answer is thrown,
   * never re-sent), so only read-only commands belong here when the caller retries.
   */
  exec(argv: readonly string[], opts: AgentExecOptions): Promise<AgentExecResult>;
  /** `POST agent/ping`: resolves when the agent answers, throws PVE's error when it does not. Read-only. */
  ping(opts?: CallOptions): Promise<void>;
  /** `GET agent/get-fsinfo`: the guest's mounted filesystems. Read-only. */
  fsInfo(opts?: CallOptions): Promise<AgentFilesystem[]>;
  /** `GET agent/get-osinfo`: the guest's OS as it reports itself. Read-only. */
  osInfo(opts?: CallOptions): Promise<AgentOsInfo>;
  /** `GET agent/network-get-interfaces`: the guest's interfaces and addresses. Read-only. */
  networkInterfaces(opts?: CallOptions): Promise<AgentInterface[]>;
  /**
   * `POST agent/file-write`: replaces the whole file with `content` (PVE base64-encodes it for
   * QEMU's guest-file-write). Safe to repeat: the same content gives the same file.
   */
  fileWrite(file: string, content: string, opts?: CallOptions): Promise<void>;
  /**
   * `POST agent/set-user-password`: the guest's chpasswd sets `username`'s password (5–1024
   * characters, in clear unless `crypted`). Safe to repeat: the same password is set again.
   */
  setUserPassword(username: string, password: string, opts?: CallOptions & { crypted?: boolean }): Promise<void>;
};

/** The guest-agent client for the VM at `base` (`/nodes/{node}/qemu/{vmid}`). */
export function vmAgent(pve: PveTransport, base: string, vmid: number): VmAgent {
  const agent: VmAgent = {
    execStart: async (argv, opts) => ZAgentExecStarted.parse(await pve.request('POST', `${base}/agent/exec`, { command: argv }, opts)).pid,
    execStatus: async (pid, opts) => ZAgentExecStatus.parse(await pve.request('GET', `${base}/agent/exec-status`, { pid }, opts)),
    exec: async (argv, o) => {
      // Each call is bounded by the client's deadline; the signal ends the polling between calls,
      // so an abort always surfaces as AgentExecTimeoutError.
      const pid = await agent.execStart(argv);
      const until = Date.now() + o.deadlineMs;
      while (Date.now() < until && !o.signal?.aborted) {
        const s = await agent.execStatus(pid);
        if (s.exited === true) return { code: s.exitcode ?? 0, stdout: s['out-data'] ?? '', stderr: s['err-data'] ?? '' };
        await abortableSleep(o.pollMs ?? 200, o.signal).catch(() => undefined);
      }
      throw new AgentExecTimeoutError(vmid, pid);
    },
    ping: async (opts) => {
      await pve.request('POST', `${base}/agent/ping`, undefined, opts);
    },
    fsInfo: async (opts) => ZAgentFsInfo.parse(await pve.request('GET', `${base}/agent/get-fsinfo`, undefined, opts)).result,
    osInfo: async (opts) => ZAgentOsInfo.parse(await pve.request('GET', `${base}/agent/get-osinfo`, undefined, opts)).result,
    networkInterfaces: async (opts) =>
      ZAgentInterfaces.parse(await pve.request('GET', `${base}/agent/network-get-interfaces`, undefined, opts)),
    fileWrite: async (file, content, opts) => {
      await pve.request('POST', `${base}/agent/file-write`, { file, content }, opts);
    },
    setUserPassword: async (username, password, opts) => {
      const { crypted, ...call } = opts ?? {};
      await pve.request('POST', `${base}/agent/set-user-password`, { username, password, crypted: crypted ? 1 : 0 }, call);
    },
  };
  return agent;
}
