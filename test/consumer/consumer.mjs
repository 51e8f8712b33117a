// The packed package, installed into brand-new consumer projects as users install it, in every setup `engines` and
// the `exports` map admit: ESM TypeScript (NodeNext, and bundler resolution), CommonJS TypeScript (node10
// resolution), plain CommonJS with and without require(esm). Each project type-checks with `strict` and
// `skipLibCheck: false`, without `@discordjs/rest` installed (the root types must not need the optional peer), then
// runs the quick start against the DiscordSimulator: create a message, edit it through the manager, read it back.
// Three of the projects (ESM NodeNext, CommonJS node10, plain CommonJS) also install `prom-client`, as users of the
// `/prometheus` subpath do, and scrape a `PrometheusMetricsCollector` after the quick start; the bundler one installs
// no optional peer at all.
//
// Usage (after `npm run build`): `node test/consumer/consumer.mjs`. Needs the registry or npm's cache for the
// lockfile's packages (typescript, @types/node, and the package's own dependencies).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
/** A devDependency's version as the lockfile pins it. */
const pinned = (name) => lock.packages[`node_modules/${name}`].version;
const scratch = mkdtempSync(join(tmpdir(), 'dum-consumer-'));

function run(command, args, cwd) {
  execFileSync(command, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, CI: 'true' } });
}

/** The quick start, in the module syntax of each project. */
const QUICK_START_BODY = `
const sim = await new DiscordSimulator().start();
try {
  const channel = sim.createChannel({ name: 'status' });
  const manager = new MessageUpdateManager({ transport: new SimulatorTransport(sim) });
  await manager.start();
  const created = await manager.create(channel.id, { content: 'Servers: checking...' });
  if (created.outcome !== 'sent' || created.messageId === undefined) throw new Error('create failed');
  const messageId: string = created.messageId;
  const edits = [1, 2, 3].map((n) => manager.edit(channel.id, messageId, { content: \`Servers: \${n}/3 online\` }));
  await Promise.all(edits);
  await manager.stop({ drain: true });
  const shown = sim.getMessage(channel.id, messageId)?.content;
  if (shown !== 'Servers: 3/3 online') throw new Error(\`the simulator shows \${String(shown)}\`);
  /*PROMETHEUS*/
  const repositories: unknown[] = [SqliteUpdateRepository, PostgresUpdateRepository, RedisRateLimitStore];
  if (!repositories.every((value) => typeof value === 'function')) throw new Error('a subpath export is missing');
  console.log(\`\${label}\${process.execArgv.length > 0 ? \` (\${process.execArgv.join(' ')})\` : ''}: quick start ok (\${shown})\`);
} finally {
  await sim.close();
}
`;

const ESM_IMPORTS = `import { MessageUpdateManager } from 'discord-update-manager';
import { DiscordSimulator, SimulatorTransport } from 'discord-update-manager/testing';
import { SqliteUpdateRepository } from 'discord-update-manager/sqlite';
import { PostgresUpdateRepository } from 'discord-update-manager/postgres';
import { RedisRateLimitStore } from 'discord-update-manager/redis';
`;

const CJS_REQUIRES = `const { MessageUpdateManager } = require('discord-update-manager');
const { DiscordSimulator, SimulatorTransport } = require('discord-update-manager/testing');
const { SqliteUpdateRepository } = require('discord-update-manager/sqlite');
const { PostgresUpdateRepository } = require('discord-update-manager/postgres');
const { RedisRateLimitStore } = require('discord-update-manager/redis');
`;

/** The Prometheus check, in place of the marker in the quick start of the projects that install prom-client. */
const PROMETHEUS_CHECK = `const collector = new PrometheusMetricsCollector({ labels: { consumer: label } });
  collector.recordOperation({ kind: 'edit', outcome: 'sent', latencyMs: 12, updates: 1, attempts: 1 });
  const exposition: string = await collector.metrics();
  if (!exposition.includes('discord_update_manager_updates_total{outcome="sent",kind="edit",consumer=')) {
    throw new Error(\`unexpected exposition: \${exposition.slice(0, 200)}\`);
  }
  if (!collector.contentType.startsWith('text/plain')) throw new Error(collector.contentType);`;

/** The quick start with the Prometheus check, or without it (the marker line removed). */
const quickStart = (prometheus) =>
  prometheus
    ? QUICK_START_BODY.replace('/*PROMETHEUS*/', PROMETHEUS_CHECK)
    : QUICK_START_BODY.replace('  /*PROMETHEUS*/\n', '');

const ESM_PROMETHEUS = "import { PrometheusMetricsCollector } from 'discord-update-manager/prometheus';\n";
const CJS_PROMETHEUS = "const { PrometheusMetricsCollector } = require('discord-update-manager/prometheus');\n";

const stripTypes = (code) =>
  code
    .replace(': string = ', ' = ')
    .replace(': unknown[] = ', ' = ')
    .replace('const exposition: string = ', 'const exposition = ')
    .replace(/import \{ (\w+(?:, \w+)*) \} from '([^']+)';/g, "const { $1 } = require('$2');");

const compilerOptions = (extra) => ({
  strict: true,
  skipLibCheck: false,
  target: 'ES2022',
  types: ['node'],
  outDir: 'out',
  ...extra,
});

/** The projects: name, package.json type, tsconfig (or none), whether it installs prom-client, source file, how to run it. */
const projects = [
  {
    name: 'esm-nodenext',
    type: 'module',
    tsconfig: compilerOptions({ module: 'NodeNext', moduleResolution: 'NodeNext' }),
    file: 'app.mts',
    prometheus: true,
    code: `${ESM_IMPORTS}${ESM_PROMETHEUS}const label = 'ESM TypeScript, NodeNext';\n${quickStart(true)}`,
    runs: [['node', ['out/app.mjs']]],
  },
  {
    name: 'esm-bundler',
    type: 'module',
    tsconfig: compilerOptions({ module: 'ESNext', moduleResolution: 'Bundler' }),
    file: 'app.ts',
    code: `${ESM_IMPORTS}const label = 'ESM TypeScript, bundler resolution';\n${quickStart(false)}`,
    runs: [['node', ['out/app.js']]],
  },
  {
    name: 'cjs-node10',
    type: 'commonjs',
    tsconfig: compilerOptions({ module: 'CommonJS', moduleResolution: 'node10' }),
    file: 'app.ts',
    prometheus: true,
    code: `${ESM_IMPORTS}${ESM_PROMETHEUS}const label = 'CommonJS TypeScript, node10 resolution';\nvoid (async () => {\n${quickStart(true)}})();\n`,
    runs: [
      ['node', ['out/app.js']],
      ['node', ['--no-experimental-require-module', 'out/app.js']],
    ],
  },
  {
    name: 'cjs-plain',
    type: 'commonjs',
    tsconfig: undefined,
    file: 'app.cjs',
    prometheus: true,
    code: `${CJS_REQUIRES}${CJS_PROMETHEUS}const label = process.argv[2];\nvoid (async () => {\n${stripTypes(quickStart(true))}})();\n`,
    runs: [
      ['node', ['app.cjs', 'CommonJS, require(esm) available']],
      ['node', ['--no-experimental-require-module', 'app.cjs', 'CommonJS, without require(esm)']],
    ],
  },
];

try {
  run('npm', ['pack', '--pack-destination', scratch, '--silent'], root);
  const tarball = join(
    scratch,
    `discord-update-manager-${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version}.tgz`,
  );
  for (const project of projects) {
    const dir = join(scratch, project.name);
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'package.json'),
      `${JSON.stringify({ name: `consumer-${project.name}`, private: true, type: project.type }, null, 2)}\n`,
    );
    const dev = project.tsconfig ? [`typescript@${pinned('typescript')}`, `@types/node@${pinned('@types/node')}`] : [];
    const peers = project.prometheus ? [`prom-client@${pinned('prom-client')}`] : [];
    run(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--silent',
        '--ignore-scripts',
        tarball,
        ...peers,
        ...dev,
      ],
      dir,
    );
    writeFileSync(join(dir, project.file), project.code);
    if (project.tsconfig) {
      writeFileSync(
        join(dir, 'tsconfig.json'),
        `${JSON.stringify({ compilerOptions: project.tsconfig, files: [project.file] }, null, 2)}\n`,
      );
      run(join(dir, 'node_modules', '.bin', 'tsc'), ['-p', '.'], dir);
    }
    for (const [command, args] of project.runs) run(command, args, dir);
  }
  console.log(`consumer projects: ${projects.map((project) => project.name).join(', ')}: all ok`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
