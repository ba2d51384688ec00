/*
 * infra/ checked by the real tools, the way an operator would run them: `nginx -t` with a
 * throwaway certificate, `systemd-analyze verify`, `docker-compose config`, `sh -n` and
 * shellcheck. Each check is also run on a deliberately broken copy, so a check that stops
 * checking fails here. The tools come from Debian packages that .ci/run installs (nginx-light,
 * shellcheck, docker-compose, systemd); nothing is started and nothing listens.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseConfig, ZApiEnv, ZWorkerEnv } from '@betang/config';
import { MAX_UPLOADED_PDF_BYTES } from '../../apps/api/src/use-cases/document-rejection';

const ROOT = resolve(__dirname, '../..');
const INFRA = join(ROOT, 'infra');

type Result = { status: number | null; output: string };

function run(cmd: string, args: string[], cwd?: string): Result {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw new Error(`${cmd} could not run (${r.error.message}); .ci/run installs it`);
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

const temps: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'betang-infra-'));
  temps.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

/** Bytes of an nginx size (`12m`, `256k`, `1g`, plain bytes). */
function nginxBytes(size: string): number {
  const m = /^(\d+)([kmg]?)$/i.exec(size.trim());
  if (!m) throw new Error(`not an nginx size: ${size}`);
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Number(m[1]) * unit;
}

/** The example env file as the key → value map systemd and compose would read. */
function readEnvExample(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(join(INFRA, 'betang.env.example'), 'utf8').split('\n')) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m) env[m[1]!] = m[2]!;
  }
  return env;
}

describe('infra/nginx/betang.conf', () => {
  jest.setTimeout(60_000);
  const source = readFileSync(join(INFRA, 'nginx', 'betang.conf'), 'utf8');

  /** A temp prefix with a self-signed certificate and a main config including ours; returns `nginx -t`'s result. */
  function nginxTest(siteConfig: string): Result {
    const dir = tempDir();
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=betang.test',
        '-keyout',
        join(dir, 'privkey.pem'),
        '-out',
        join(dir, 'fullchain.pem'),
      ],
      { stdio: 'ignore' },
    );
    writeFileSync(join(dir, 'betang.conf'), siteConfig.replaceAll('/etc/ssl/betang/', `${dir}/`));
    writeFileSync(
      join(dir, 'nginx.conf'),
      [
        `pid ${dir}/nginx.pid;`,
        `error_log ${dir}/error.log;`,
        'events {}',
        'http {',
        `  access_log off;`,
        ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${dir}/${t};`),
        `  include ${dir}/betang.conf;`,
        '}',
      ].join('\n'),
    );
    return run('nginx', ['-t', '-p', dir, '-c', join(dir, 'nginx.conf')]);
  }

  it('should pass nginx -t with a throwaway certificate', () => {
    const r = nginxTest(source);
    expect(r.output).toMatch(/syntax is ok/);
    expect(r.output).toMatch(/test is successful/);
    expect(r.status).toBe(0);
  });

  it('should make nginx -t fail on a broken copy (the check really checks)', () => {
    expect(nginxTest(source.replace('proxy_buffering off;', 'proxy_buffering off')).status).not.toBe(0);
    expect(nginxTest(source.replace('ssl_protocols TLSv1.2 TLSv1.3;', 'ssl_protocols TLSv1.2 TLSv9;')).status).not.toBe(0);
  });

  it('should enforce TLS 1.2+, HSTS, unbuffered SSE, bodies the API accepts and a forwarded-for that matches TRUST_PROXY_HOPS', () => {
    expect(source).toMatch(/^\s*ssl_protocols TLSv1\.2 TLSv1\.3;/m);
    expect(source).toMatch(/add_header Strict-Transport-Security "max-age=(\d{8,})[^"]*" always;/);
    const sse = /location ~ \^\/api\/v1\/vps-requests\/\[\^\/\]\+\/events\$ \{([^}]*)\}/.exec(source);
    expect(sse).not.toBeNull();
    expect(sse![1]).toMatch(/proxy_buffering off;/);
    expect(sse![1]).toMatch(/proxy_read_timeout 1h;/);
    expect(sse![1]).toMatch(/proxy_set_header Host \$host;/);
    // The serial console's websocket: the upgrade passed through, reads as long as the longest idle setting.
    const ws = /location = \/api\/v1\/console\/ws \{([^}]*)\}/.exec(source);
    expect(ws).not.toBeNull();
    expect(ws![1]).toMatch(/proxy_set_header Upgrade \$http_upgrade;/);
    expect(ws![1]).toMatch(/proxy_set_header Connection "upgrade";/);
    expect(ws![1]).toMatch(/proxy_read_timeout 4h;/);
    const body = /client_max_body_size (\S+);/.exec(source);
    expect(nginxBytes(body![1]!)).toBeGreaterThan(MAX_UPLOADED_PDF_BYTES);
    // nginx is the one proxy: it replaces X-Forwarded-For, and the API trusts exactly one hop.
    expect(source.match(/proxy_set_header X-Forwarded-For \$remote_addr;/g)).toHaveLength(3);
    expect(source).not.toMatch(/\$proxy_add_x_forwarded_for/);
    expect(readEnvExample().TRUST_PROXY_HOPS).toBe('1');
    // The API serves /readyz and /metrics only on its operations port; nginx refuses them too, in any spelling.
    expect(source).toMatch(/location ~\* \^\/\(metrics\|readyz\)\/\*\$ \{ return 404; \}/);
    expect(readEnvExample().API_OPS_HOST).toBe('127.0.0.1');
  });
});

describe('infra/systemd units', () => {
  jest.setTimeout(60_000);
  const units = readdirSync(join(INFRA, 'systemd')).filter((f) => f.endsWith('.service'));

  /**
   * `systemd-analyze verify` on copies: ExecStart must name an existing executable, so the
   * documented /usr/bin/node is replaced by this machine's node when it lives elsewhere. Any
   * output counts as a failure (systemd only warns about unknown keys and bad values).
   */
  function verify(edit: (name: string, text: string) => string = (_n, t) => t): Result {
    const dir = tempDir();
    for (const unit of units) {
      const text = readFileSync(join(INFRA, 'systemd', unit), 'utf8').replaceAll('/usr/bin/node ', `${process.execPath} `);
      writeFileSync(join(dir, unit), edit(unit, text));
    }
    return run('systemd-analyze', ['verify', ...units.map((u) => join(dir, u))]);
  }

  it('should list the api, worker and migrate units', () => {
    expect(units.sort()).toEqual(['betang-api.service', 'betang-migrate.service', 'betang-worker.service']);
  });

  it('should pass systemd-analyze verify without a single warning', () => {
    const r = verify();
    expect(r.output.trim()).toBe('');
    expect(r.status).toBe(0);
  });

  it('should fail verification of a broken copy (missing binary, bad value)', () => {
    expect(
      verify((n, t) => (n === 'betang-worker.service' ? t.replace(/^ExecStart=\S+/m, 'ExecStart=/nonexistent/node') : t)).status,
    ).not.toBe(0);
    expect(verify((n, t) => (n === 'betang-api.service' ? t.replace('Restart=on-failure', 'Restart=sometimes') : t)).output).toMatch(
      /sometimes/,
    );
  });

  it('should give the worker more stop time than it takes to release its runs, and run migrations first', () => {
    const worker = readFileSync(join(INFRA, 'systemd', 'betang-worker.service'), 'utf8');
    const workerMain = readFileSync(join(ROOT, 'apps/worker/src/main.ts'), 'utf8');
    const exitAfterMs = Number(/setTimeout\(\(\) => process\.exit\(1\), ([\d_]+)\)/.exec(workerMain)![1]!.replaceAll('_', ''));
    expect(Number(/TimeoutStopSec=(\d+)/.exec(worker)![1]) * 1000).toBeGreaterThan(exitAfterMs);
    for (const unit of ['betang-api.service', 'betang-worker.service']) {
      const text = readFileSync(join(INFRA, 'systemd', unit), 'utf8');
      expect(text).toMatch(/^Requires=betang-migrate\.service$/m);
      expect(text).toMatch(/^After=.*betang-migrate\.service/m);
      expect(text).toMatch(/^User=betang$/m);
    }
    // Every ExecStart entry point exists in the repository.
    for (const unit of units) {
      const entry = /^ExecStart=\S+ --import tsx (\S+)$/m.exec(readFileSync(join(INFRA, 'systemd', unit), 'utf8'))![1]!;
      expect(existsSync(join(ROOT, entry))).toBe(true);
    }
  });
});

describe('infra/compose.yaml', () => {
  jest.setTimeout(60_000);
  const source = readFileSync(join(INFRA, 'compose.yaml'), 'utf8');

  /** `docker-compose config` (no daemon needed) in a temp copy with the example env files. */
  function composeConfig(text: string): Result {
    const dir = tempDir();
    writeFileSync(join(dir, 'compose.yaml'), text);
    copyFileSync(join(INFRA, 'betang.env.example'), join(dir, 'betang.env'));
    copyFileSync(join(INFRA, 'postgres.env.example'), join(dir, 'postgres.env'));
    return run('docker-compose', ['-f', 'compose.yaml', '-p', 'betang', 'config'], dir);
  }

  it('should validate with docker-compose config and resolve to the intended stack', () => {
    const r = composeConfig(source);
    expect(r.status).toBe(0);
    const out = r.output;
    expect(out).toMatch(/- --maxmemory-policy\n\s+- noeviction/);
    expect(out).toMatch(/image: postgres:1[56]/);
    expect(out).toMatch(/image: redis:7/);
    // api and worker wait for the one-shot migration and a healthy Redis.
    expect(out.match(/migrate:\n\s+condition: service_completed_successfully/g)).toHaveLength(2);
    expect(out).toMatch(/published: ["']?3000["']?|127\.0\.0\.1:3000:3000/);
    expect(out).not.toMatch(/9464:9464/);
    expect(out).not.toMatch(/9465:9465/);
    expect(out).toMatch(/API_OPS_PORT: ["']?9465/);
    expect(out.match(/fetch\('http:\/\/127\.0\.0\.1:(3000|9464)\/healthz'\)/g)?.length).toBeGreaterThanOrEqual(2);
    expect(out).toMatch(/dockerfile: infra\/docker\/Dockerfile/);
  });

  it('should make docker-compose config fail on a broken copy', () => {
    expect(
      composeConfig(source.replace('condition: service_completed_successfully', 'condition: service_finished_somehow')).status,
    ).not.toBe(0);
    expect(composeConfig(source.replace('  redis:\n    image:', '  redis:\n    imagee:')).status).not.toBe(0);
  });

  it('should build a multi-stage, non-root image that installs production dependencies only', () => {
    const dockerfile = readFileSync(join(INFRA, 'docker', 'Dockerfile'), 'utf8');
    expect(dockerfile.match(/^FROM /gm)!.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n.*\/healthz/m);
    // The services start with tsx, so it must survive --omit=dev.
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    expect(pkg.dependencies?.tsx).toBeDefined();
    for (const entry of dockerfile.match(/"(apps|packages)\/[^"]+\.ts"/g) ?? [])
      expect(existsSync(join(ROOT, JSON.parse(entry) as string))).toBe(true);
  });

  it('should ship example settings the api and the worker accept', () => {
    const env = readEnvExample();
    expect(() => parseConfig(ZApiEnv, env)).not.toThrow();
    expect(() => parseConfig(ZWorkerEnv, env)).not.toThrow();
  });
});

describe('infra shell scripts', () => {
  jest.setTimeout(60_000);
  const scripts = readdirSync(join(INFRA, 'proxmox'))
    .filter((f) => f.endsWith('.sh'))
    .map((f) => join(INFRA, 'proxmox', f));

  it('should pass sh -n and shellcheck', () => {
    expect(scripts.length).toBeGreaterThanOrEqual(2);
    for (const script of scripts) {
      expect(run('sh', ['-n', script])).toEqual({ status: 0, output: '' });
      const r = run('shellcheck', ['-s', 'sh', script]);
      expect(r.output).toBe('');
      expect(r.status).toBe(0);
    }
  });

  it('should fail on broken copies', () => {
    const dir = tempDir();
    const broken = join(dir, 'broken.sh');
    writeFileSync(broken, `${readFileSync(scripts[0]!, 'utf8')}\nif [ -n "$X" ]; then\n  echo unterminated\n`);
    expect(run('sh', ['-n', broken]).status).not.toBe(0);
    writeFileSync(broken, `${readFileSync(scripts[0]!, 'utf8')}\nrm -rf $UNQUOTED/\n`);
    expect(run('shellcheck', ['-s', 'sh', broken]).status).not.toBe(0);
  });

  it('should build the templates the catalog names, with what provisioning needs', () => {
    const build = readFileSync(join(INFRA, 'proxmox', 'build-templates.sh'), 'utf8');
    const seed = readFileSync(join(ROOT, 'apps/launcher/src/seed-demo.ts'), 'utf8');
    for (const [, id = '', vmid] of seed.matchAll(/id: '([a-z0-9.-]+)', name: '[^']+', osFamily: '[a-z]+', pveTemplateVmid: (\d+)/g)) {
      expect(build).toMatch(new RegExp(`^build ${vmid} ${id.replace('.', '\\.')} `, 'm'));
    }
    for (const needed of [
      '--scsihw virtio-scsi-pci',
      '--serial0 socket',
      '--agent enabled=1',
      'cloudinit',
      'qm importdisk',
      'qm template',
      'qemu-guest-agent',
    ]) {
      expect(build).toContain(needed);
    }
  });
});

describe('docs/runbook.md', () => {
  const runbook = readFileSync(join(ROOT, 'docs', 'runbook.md'), 'utf8');
  const anchors = new Set(
    [...runbook.matchAll(/^### ([a-z0-9_]+)$/gm)]
      .map((m) => m[1]!)
      .concat([...runbook.matchAll(/<a id="([a-z0-9_-]+)"><\/a>/g)].map((m) => m[1]!)),
  );

  it('should have a section for every failure code the worker can report', () => {
    const codes = new Set<string>();
    const sources = [
      ...readdirSync(join(ROOT, 'apps/worker/src'), { recursive: true, encoding: 'utf8' }).map((f) => join(ROOT, 'apps/worker/src', f)),
      ...readdirSync(join(ROOT, 'packages/guest/src'), { recursive: true, encoding: 'utf8' }).map((f) =>
        join(ROOT, 'packages/guest/src', f),
      ),
    ].filter((f) => f.endsWith('.ts') && !/\.test\.ts$|testing/.test(f));
    for (const file of sources) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(
        /(?:permanent|transient)\(\s*'([A-Z][A-Z0-9_]+)'|new RunError\(\s*'([A-Z][A-Z0-9_]+)'|code: '((?:GUEST|RUN|PVE)_[A-Z0-9_]+|[A-Z]+_[A-Z_]+)'/g,
      ))
        codes.add((m[1] ?? m[2] ?? m[3])!);
      for (const m of text.matchAll(/^ {2}([A-Z][A-Z0-9_]+): \{$/gm)) if (file.endsWith('failure-advice.ts')) codes.add(m[1]!);
    }
    const pveCodes = readFileSync(join(ROOT, 'packages/proxmox/src/errors/pve-error-code.ts'), 'utf8');
    for (const m of pveCodes.matchAll(/^ {2}\| '([a-z-]+)'$/gm))
      if (m[1] !== 'unknown') codes.add(`PVE_${m[1]!.toUpperCase().replace(/-/g, '_')}`);
    for (const m of readFileSync(join(ROOT, 'packages/guest/src/index.ts'), 'utf8').matchAll(/'(GUEST_[A-Z_]+)'/g)) codes.add(m[1]!);
    expect(codes.size).toBeGreaterThan(40);
    const missing = [...codes].filter((c) => !anchors.has(c.toLowerCase()) && !/^E[A-Z]+$|^SIG/.test(c));
    expect(missing).toEqual([]);
  });

  it('should resolve every relative link of the operations documents', () => {
    for (const doc of ['docs/runbook.md', 'infra/README.md', 'infra/backup.md', 'infra/upgrade.md', 'README.md']) {
      const text = readFileSync(join(ROOT, doc), 'utf8');
      for (const [, target] of text.matchAll(/\]\((?!https?:|#|mailto:)([^)#\s]+)(?:#[^)]*)?\)/g)) {
        expect({ doc, target, exists: existsSync(join(dirname(join(ROOT, doc)), target!)) }).toEqual({ doc, target, exists: true });
      }
    }
  });

  it('should be linked from the README and from infra/README.md', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toMatch(/## Operasional \/ Operations/);
    for (const link of ['infra/README.md', 'docs/runbook.md']) expect(readme).toContain(`](${link})`);
    expect(readFileSync(join(INFRA, 'README.md'), 'utf8')).toContain('](../docs/runbook.md)');
  });
});
