// The workspace's shape as a user of `nx graph` and `nx affected` sees it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const APPS = ['chat-gateway', 'prefetch-scheduler', 'post-processor', 'health-checker'];

function nx(args: string[]): string {
  return execFileSync('npx', ['nx', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

interface Graph {
  nodes: Record<string, { type: string; data: { root: string; tags?: string[]; targets?: Record<string, unknown> } }>;
  dependencies: Record<string, { source: string; target: string }[]>;
}

// What each kind of project may depend on (mirrors eslint.config.mjs).
const ALLOWED: Record<string, string[]> = {
  // The CDK app: it deploys the apps, so a change to one marks it affected.
  deploy: ['app', 'feature', 'data-access', 'contract', 'util'],
  app: ['feature', 'data-access', 'contract', 'util', 'testing'],
  feature: ['feature', 'data-access', 'contract', 'util', 'testing'],
  'data-access': ['data-access', 'contract', 'util', 'testing'],
  contract: ['contract', 'util', 'testing'],
  util: ['util', 'testing'],
  testing: ['data-access', 'contract', 'util', 'testing'],
};

describe('project graph', () => {
  let graph: Graph;

  beforeAll(() => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nx-graph-')), 'graph.json');
    nx(['graph', `--file=${file}`]);
    graph = (JSON.parse(fs.readFileSync(file, 'utf8')) as { graph: Graph }).graph;
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }, 120_000);

  const kind = (name: string) => {
    const tag = graph.nodes[name]?.data.tags?.find((t) => t.startsWith('type:'));
    if (!tag) throw new Error(`${name} has no type: tag`);
    return tag.slice('type:'.length);
  };

  it('holds the four apps, each tagged as an app', () => {
    for (const app of APPS) {
      expect(graph.nodes[app]?.type).toBe('app');
      expect(kind(app)).toBe('app');
    }
  });

  it('tags every project with its kind', () => {
    for (const name of Object.keys(graph.nodes)) expect(Object.keys(ALLOWED)).toContain(kind(name));
  });

  it('has edges only in the allowed directions, and none into an app but from the deployment', () => {
    const bad: string[] = [];
    for (const [source, edges] of Object.entries(graph.dependencies)) {
      for (const { target } of edges) {
        if (!graph.nodes[target]) continue; // npm packages
        if ((kind(target) === 'app' && kind(source) !== 'deploy') || !ALLOWED[kind(source)]!.includes(kind(target))) {
          bad.push(`${source} (${kind(source)}) → ${target} (${kind(target)})`);
        }
      }
    }
    expect(bad).toEqual([]);
  });

  // `test` (the fast loop) runs src/; `integration` runs test/ (tools: *.int.test.ts). A test/ folder
  // without the target would never run; an integration test under src/ would run in the fast loop.
  it('gives every project with integration tests an integration target, and only those', () => {
    const wrong: string[] = [];
    for (const [name, { data }] of Object.entries(graph.nodes)) {
      const files = (fs.readdirSync(path.join(ROOT, data.root), { recursive: true }) as string[]).filter(
        (f) => f.endsWith('.test.ts') && !f.split(path.sep).includes('node_modules'),
      );
      const hasIntegrationTests = files.some((f) => f.startsWith(`test${path.sep}`) || f.endsWith('.int.test.ts'));
      const hasTarget = data.targets?.['integration'] !== undefined;
      if (hasIntegrationTests !== hasTarget) wrong.push(`${name}: integration tests ${hasIntegrationTests}, integration target ${hasTarget}`);
      for (const f of files.filter((f) => f.startsWith(`src${path.sep}`) && f.endsWith('.int.test.ts'))) {
        wrong.push(`${name}: ${f} would run with the unit tests`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('has no cycles', () => {
    const state = new Map<string, 'visiting' | 'done'>();
    const cycles: string[] = [];
    const visit = (name: string, trail: string[]) => {
      if (state.get(name) === 'done') return;
      if (state.get(name) === 'visiting') {
        cycles.push([...trail.slice(trail.indexOf(name)), name].join(' → '));
        return;
      }
      state.set(name, 'visiting');
      for (const { target } of graph.dependencies[name] ?? []) {
        if (graph.nodes[target]) visit(target, [...trail, name]);
      }
      state.set(name, 'done');
    };
    for (const name of Object.keys(graph.nodes)) visit(name, []);
    expect(cycles).toEqual([]);
  });
});

describe('nx affected', () => {
  const affected = (file: string) =>
    nx(['show', 'projects', '--affected', `--files=${file}`]).split('\n').map((l) => l.trim()).filter(Boolean).sort();

  it('leaves the other apps out when only one app changes, and takes in the deployment of it', () => {
    expect(affected('apps/health-checker/src/main.ts')).toEqual(['health-checker', 'infra']);
  }, 120_000);

  it('takes in only the deployment when only the deployment changes', () => {
    expect(affected('infra/src/alarms.ts')).toEqual(['infra']);
  }, 120_000);

  it('takes in every app when a shared contract changes', () => {
    const projects = affected('libs/contracts/src/service-status.schema.ts');
    for (const app of APPS) expect(projects).toContain(app);
  }, 120_000);
});
