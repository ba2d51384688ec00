// Package boundaries from docs/architecture.md §3, checked by `npm run lint`.
// Every package's package.json declares the workspace packages it may import
// (`no-non-package-json` enforces that); the rules below encode the layer rules on top.
const TEST = '(\\.test\\.tsx?$|/testkit/|/src/testing/)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-non-package-json',
      severity: 'error',
      comment: 'Import only what your package.json declares (workspace packages included).',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'core-is-pure',
      severity: 'error',
      comment: 'packages/core and packages/config import zod only: no I/O, no node built-ins.',
      from: { path: '^packages/(core|config)/src', pathNot: TEST + '|^packages/config/src/(secrets|cli)/' },
      to: { pathNot: '^packages/(core|config)/src|zod' },
    },
    {
      name: 'config-secrets-node-only',
      severity: 'error',
      comment:
        'Issue 9: config decrypts enc:v1 values (node:crypto) and reads the master key file; its secrets/ and cli/ folders may use those built-ins and nothing else.',
      from: { path: '^packages/config/src/(secrets|cli)/', pathNot: TEST },
      to: { pathNot: '^packages/config/src|^(node:)?(crypto|fs|path)$' },
    },
    {
      name: 'web-imports-contracts-only',
      severity: 'error',
      comment: 'apps/web may import core contracts only, never other packages.',
      from: { path: '^apps/web/src' },
      to: { path: '^(packages/(?!core/)|apps/(?!web/))' },
    },
    {
      name: 'proxmox-imports-nothing-internal',
      severity: 'error',
      from: { path: '^packages/proxmox/src', pathNot: TEST },
      to: { path: '^(packages/(?!proxmox/)|apps/)' },
    },
    {
      name: 'simulator-imports-proxmox-types-only',
      severity: 'error',
      from: { path: '^packages/pve-simulator/src', pathNot: TEST },
      to: { path: '^packages/proxmox/src', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'only-worker-talks-to-proxmox-and-guests',
      severity: 'error',
      comment:
        "Only apps/worker (and the launcher that boots the simulator) reach Proxmox and guests; the one exception is the API's browser console (apps/api/src/console), which relays a serial console and must open it with Betang's own PVE token.",
      from: { path: '^(apps/(api|web)|packages/(core|config|db|queue|documents))/src', pathNot: '^apps/api/src/console/' },
      to: { path: '^packages/(proxmox|pve-simulator|guest)/' },
    },
    {
      name: 'testkit-only-in-tests',
      severity: 'error',
      from: { pathNot: TEST + '|^test/|^bench/' },
      to: { path: '^packages/testkit/' },
    },
    {
      name: 'no-testing-in-production',
      severity: 'error',
      comment:
        'Test doubles and fixtures (src/testing folders, `@betang/*/testing` entries) are for tests only: production code never imports them.',
      from: { pathNot: TEST + '|^test/|^bench/' },
      to: { path: '/src/testing/' },
    },
    {
      name: 'guest-emulation-only-in-demo-and-tests',
      severity: 'error',
      comment:
        "The emulated Debian guests (`@betang/guest/emulation`) serve the launcher's demo mode and the tests; the worker, the API and the packages must reach real guests only (docs/decisions/emulated-guests.md).",
      from: { path: '^(apps/(?!launcher/)|packages/(?!guest/))[^/]+/src', pathNot: TEST },
      to: { path: '^packages/guest/src/emulation/' },
    },
    {
      name: 'guest-production-entry-without-emulation',
      severity: 'error',
      comment: 'Inside packages/guest only the emulation itself reaches the emulation, so `@betang/guest` never ships it.',
      from: { path: '^packages/guest/src/(?!emulation/)', pathNot: TEST },
      to: { path: '^packages/guest/src/emulation/' },
    },
    {
      name: 'worker-harness-knows-no-run-kind',
      severity: 'error',
      comment:
        'The run harness (steps, compensations, bookkeeping) is generic: provisioning and day-2 definitions plug into it, never the other way round (docs/provisioning.md).',
      from: { path: '^apps/worker/src/harness/', pathNot: TEST },
      to: { path: '^apps/worker/src/(provisioning|jobs|reconcile)/' },
    },
    {
      name: 'no-app-imports',
      severity: 'error',
      comment: 'Apps are leaves: packages never import apps, apps never import each other.',
      from: { path: '^(packages|apps)/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$2/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    combinedDependencies: false,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
