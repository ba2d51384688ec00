/**
 * The framing Proxmox's xterm.js client speaks to termproxy, which Betang's relay passes through
 * unchanged: input `0:<UTF-8 byte length>:<data>`, resize `1:<cols>:<rows>:`, ping `2`. The
 * server answers "OK" once the console is open, then the terminal's raw bytes.
 */
export const termInput = (data: string): string => `0:${new TextEncoder().encode(data).length}:${data}`;
export const termResize = (cols: number, rows: number): string => `1:${cols}:${rows}:`;
export const TERM_PING = '2';
