/**
 * What an emulated guest's serial console (ttyS0 with a getty, as the Debian cloud image runs)
 * shows and accepts: a login prompt, then a tiny shell with `echo`, `hostname`, `whoami` and
 * `exit`. It models only what a person at the console sees, not a real shell.
 */
export interface LoginIdentity {
  hostname: string;
  /** The cloud-init user (`ciuser`, else the image's default `debian`). */
  user: string;
  /** The cloud-init password the guest booted with; undefined = password login locked. */
  password?: string;
  /**
   * What chpasswd (the guest agent's set-user-password) last stored for a user: it replaces the
   * cloud-init password, and gives users cloud-init left locked (root too) a login.
   */
  shadow?: (user: string) => { value: string; crypted: boolean } | undefined;
}

/** Whether login(1) would accept `user`/`typed` against the identity's password database. */
function accepts(id: LoginIdentity, user: string, typed: string): boolean {
  const set = id.shadow?.(user);
  // A crypt(3) hash cannot be checked without libcrypt; the emulated guest treats it as locked.
  if (set) return !set.crypted && typed === set.value;
  return id.password !== undefined && user === id.user && typed === id.password;
}

type Mode = 'login' | 'password' | 'shell' | 'wait';

const KERNEL = '6.1.0-28-cloud-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22) x86_64';

/**
 * A serial line with a getty behind it. Like a real serial console the session outlives the
 * viewer: whoever attaches next sees the same state (still logged in, half-typed line kept).
 */
export class EmulatedSerialLogin {
  private mode: Mode = 'login';
  private line = '';
  private loginName = '';
  private sink: ((text: string) => void) | undefined;

  constructor(
    private readonly identity: () => LoginIdentity,
    /** Scaled delay before "Login incorrect", as login(1) sleeps after a failure. */
    private readonly failDelayMs: number,
  ) {}

  /** Sends the guest's output to `sink` until the returned function detaches it. */
  attach(sink: (text: string) => void): () => void {
    this.sink = sink;
    return () => {
      if (this.sink === sink) this.sink = undefined;
    };
  }

  private out(text: string): void {
    this.sink?.(text);
  }

  private prompt(): void {
    const id = this.identity();
    if (this.mode === 'login') this.out(`${id.hostname} login: `);
    else if (this.mode === 'password') this.out('Password: ');
    else if (this.mode === 'shell') this.out(`${this.loginName}@${id.hostname}:~${this.loginName === 'root' ? '#' : '$'} `);
  }

  private banner(): void {
    this.out(`\r\nDebian GNU/Linux 12 ${this.identity().hostname} ttyS0\r\n\r\n`);
  }

  /** Bytes typed on the console (already unframed). */
  input(bytes: Buffer): void {
    // Cursor and function keys (ESC sequences) do nothing at this prompt.
    // eslint-disable-next-line no-control-regex
    const text = bytes.toString('utf8').replace(/\x1b\[[0-9;]*[A-Za-z~]|\x1bO[A-Za-z]/g, '');
    for (const ch of text) this.key(ch);
  }

  private key(ch: string): void {
    if (this.mode === 'wait') return;
    const echo = this.mode !== 'password';
    if (ch === '\r' || ch === '\n') {
      this.out('\r\n');
      const line = this.line;
      this.line = '';
      this.enter(line);
      return;
    }
    if (ch === '\x7f' || ch === '\b') {
      if (this.line.length > 0) {
        this.line = [...this.line].slice(0, -1).join('');
        if (echo) this.out('\b \b');
      }
      return;
    }
    if (ch === '\x03') {
      this.out('^C\r\n');
      this.line = '';
      if (this.mode === 'password') this.mode = 'login';
      if (this.mode === 'login') this.banner();
      this.prompt();
      return;
    }
    if (ch === '\x04' && this.line === '' && this.mode === 'shell') {
      this.logout();
      return;
    }
    if (ch < ' ') return;
    this.line += ch;
    if (echo) this.out(ch);
  }

  private enter(line: string): void {
    if (this.mode === 'login') {
      if (line.trim() === '') return this.prompt();
      this.loginName = line.trim();
      this.mode = 'password';
      return this.prompt();
    }
    if (this.mode === 'password') {
      const id = this.identity();
      const ok = accepts(id, this.loginName, line);
      if (ok) {
        this.mode = 'shell';
        this.out(`Linux ${id.hostname} ${KERNEL}\r\n\r\n`);
        return this.prompt();
      }
      this.mode = 'wait';
      setTimeout(() => {
        this.mode = 'login';
        this.out('\r\nLogin incorrect\r\n');
        this.prompt();
      }, this.failDelayMs).unref();
      return;
    }
    this.run(line.trim());
  }

  private run(cmdline: string): void {
    const [cmd = '', ...args] = cmdline.split(/\s+/).filter(Boolean);
    const id = this.identity();
    switch (cmd) {
      case '':
        break;
      case 'echo':
        this.out(`${args.map(unquote).join(' ')}\r\n`);
        break;
      case 'hostname':
        this.out(`${id.hostname}\r\n`);
        break;
      case 'whoami':
        this.out(`${this.loginName}\r\n`);
        break;
      case 'exit':
      case 'logout':
        return this.logout();
      default:
        this.out(`-bash: ${cmd}: command not found\r\n`);
    }
    this.prompt();
  }

  private logout(): void {
    this.out('logout\r\n');
    this.mode = 'login';
    this.loginName = '';
    this.banner();
    this.prompt();
  }
}

function unquote(word: string): string {
  return word.replace(/^(['"])(.*)\1$/, '$2');
}
