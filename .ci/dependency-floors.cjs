/**
 * The floors of src/, lowest first (docs/architecture.md). An import may only go down: a file may
 * import its own floor and the floors below it, never one above; and no two folders import each
 * other. Checked by `npm test` (test/ci/dependency-floors.test.ts) with dependency-cruiser.
 * Folders on one floor (dashboard, demo) do not import each other.
 */
const FLOORS = [
  ['src/core'],
  ['src/foundation'],
  ['src/db'],
  ['src/http'],
  ['src/hub/ocpi'],
  ['src/hub/outbound'],
  ['src/hub/routing'],
  ['src/hub/transport'],
  ['src/hub/modules'],
  ['src/hub/settlement'],
  ['src/hub/reliability'],
  ['src/hub/partner-finance'],
  ['src/hub/admin'],
  ['src/hub/nap'],
  ['src/own-cpo/chargers'],
  ['src/own-cpo/ocpp'],
  ['src/own-cpo/driver-payments'],
  ['src/own-cpo/charging'],
  ['src/own-cpo/load'],
  ['src/own-cpo/ocpp-handlers'],
  ['src/own-cpo/driver-page'],
  ['src/own-cpo/admin'],
  ['src/dashboard', 'src/demo'],
  ['src/cli'],
  // The wiring and the process: src/*.ts (services.ts, app.ts, main.ts, lifecycle.ts, …).
  ['src/[^/]+\\.ts$'],
];

const folderPattern = (folders) => `^(${folders.map((f) => (f.endsWith('$') ? f : `${f}/`)).join('|')})`;

const upward = FLOORS.flatMap((floor, i) => {
  const above = FLOORS.slice(i + 1).flat();
  if (above.length === 0) return [];
  return [
    {
      name: `floor-${i}-imports-up`,
      comment: `${floor.join(', ')} may not import a higher floor`,
      severity: 'error',
      from: { path: folderPattern(floor) },
      to: { path: folderPattern(above) },
    },
  ];
});

const sideways = FLOORS.filter((floor) => floor.length > 1).flatMap((floor) =>
  floor.map((folder) => ({
    name: `sideways-from-${folder}`,
    comment: `${folder} may not import a folder on its own floor`,
    severity: 'error',
    from: { path: folderPattern([folder]) },
    to: { path: folderPattern(floor.filter((f) => f !== folder)) },
  })),
);

module.exports = {
  forbidden: [
    ...upward,
    ...sideways,
    {
      name: 'own-cpo-through-module-services',
      comment: 'the own CPO talks to the hub only through its module services and the OCPI vocabulary',
      severity: 'error',
      from: { path: '^src/own-cpo/' },
      to: { path: '^src/hub/(routing|transport|outbound|admin)/' },
    },
    {
      name: 'no-folder-cycles',
      comment: 'no two folders import each other, directly or through others',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-file-cycles',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'product-never-imports-tests',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'core-is-pure',
      comment: 'core/ does no I/O: no database, network, file system or process modules',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { dependencyTypes: ['npm', 'core'], path: '(^|/)(typeorm|pg|koa|@koa|axios|ocpp-rpc|stripe|node-cron|pino|prom-client|fs|net|http|https|child_process|dgram|dns|tls)(/|$)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: '^(test|bench|scripts|migrations)/' },
  },
};
