import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PluginSet, SchedulerProfile } from '../framework/profile.js';
import { DEFAULT_SCHEDULER_NAME, defaultProfile } from '../plugins/registry.js';
import { SchedulerConfigError, checkProfiles, mergePluginSet, parseSchedulerConfig } from './config.js';

const head = 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n';
const defaults = defaultProfile();
const defaultNames = defaults.plugins.map((p) => p.name);

const sets = (p: SchedulerProfile) => p.plugins as Record<string, PluginSet>;
const multi = (p: SchedulerProfile) => (sets(p).multiPoint?.enabled ?? []).map((e) => e.weight === undefined ? e.name : `${e.name}:${e.weight}`);
const defaultMulti = defaults.plugins.map((e) => e.weight === undefined ? e.name : `${e.name}:${e.weight}`);

describe('parseSchedulerConfig', () => {
  const cases: { name: string; text: string; check: (profiles: SchedulerProfile[]) => void }[] = [
    {
      name: 'no profiles gives the default profile',
      text: head,
      check: ([p, ...rest]) => {
        assert.equal(rest.length, 0);
        assert.equal(p!.schedulerName, DEFAULT_SCHEDULER_NAME);
        assert.deepEqual(multi(p!), defaultMulti);
        assert.deepEqual(p!.pluginConfig, defaults.pluginConfig);
        assert.equal(p!.percentageOfNodesToScore, undefined);
      },
    },
    {
      name: 'JSON is read as well, and the top-level percentage applies to profiles without their own',
      text: JSON.stringify({
        apiVersion: 'kubescheduler.config.k8s.io/v1', kind: 'KubeSchedulerConfiguration', percentageOfNodesToScore: 50,
        profiles: [{ schedulerName: 'a' }, { schedulerName: 'b', percentageOfNodesToScore: 20 }],
      }),
      check: (ps) => assert.deepEqual(ps.map((p) => [p.schedulerName, p.percentageOfNodesToScore]), [['a', 50], ['b', 20]]),
    },
    {
      name: 'a re-enabled default keeps its place with the new weight; disabled defaults go',
      text: `${head}profiles:
- schedulerName: custom
  plugins:
    multiPoint:
      enabled: [{ name: TaintToleration, weight: 7 }]
      disabled: [{ name: ImageLocality }]
`,
      check: ([p]) => {
        assert.equal(p!.schedulerName, 'custom');
        assert.deepEqual(multi(p!), defaultMulti.filter((n) => n !== 'ImageLocality:1').map((n) => n.startsWith('TaintToleration') ? 'TaintToleration:7' : n));
      },
    },
    {
      name: 'per-point sets are kept as given; "*" there leaves the multiPoint set alone',
      text: `${head}profiles:
- plugins:
    score:
      disabled: [{ name: '*' }]
      enabled: [{ name: NodeResourcesFit, weight: 5 }]
    filter:
      disabled: [{ name: NodePorts }, { name: VolumeBinding }]
`,
      check: ([p]) => {
        assert.deepEqual(sets(p!).score, { enabled: [{ name: 'NodeResourcesFit', weight: 5 }], disabled: [{ name: '*' }] });
        assert.deepEqual(sets(p!).filter?.disabled, [{ name: 'NodePorts' }, { name: 'VolumeBinding' }]);
        assert.deepEqual(multi(p!), defaultMulti);
      },
    },
    {
      name: 'disabling every multiPoint default keeps only what the profile enables',
      text: `${head}profiles:
- plugins:
    multiPoint:
      disabled: [{ name: '*' }]
      enabled: [{ name: PrioritySort }, { name: NodeName }, { name: DefaultBinder }]
`,
      check: ([p]) => assert.deepEqual(multi(p!), ['PrioritySort', 'NodeName', 'DefaultBinder']),
    },
    {
      name: 'plugin args are defaulted field by field; apiVersion and kind in args are dropped',
      text: `${head}profiles:
- pluginConfig:
  - name: NodeResourcesFit
    args:
      apiVersion: kubescheduler.config.k8s.io/v1
      kind: NodeResourcesFitArgs
      ignoredResources: [example.com/foo]
  - name: PodTopologySpread
    args:
      defaultingType: List
      defaultConstraints: [{ maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: ScheduleAnyway }]
`,
      check: ([p]) => {
        const pc = p!.pluginConfig as Record<string, Record<string, unknown>>;
        assert.deepEqual(pc.NodeResourcesFit, { ...defaults.pluginConfig.NodeResourcesFit, ignoredResources: ['example.com/foo'] });
        assert.equal(pc.PodTopologySpread?.defaultingType, 'List');
      },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { profiles } = parseSchedulerConfig(c.text);
      c.check(profiles);
      checkProfiles(profiles);
    });
  }

  const errors: { name: string; text: string; message: RegExp }[] = [
    { name: 'wrong apiVersion', text: 'apiVersion: kubescheduler.config.k8s.io/v1beta2\nkind: KubeSchedulerConfiguration\n', message: /^apiVersion: must be kubescheduler\.config\.k8s\.io\/v1/ },
    { name: 'wrong kind', text: 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: Pod\n', message: /^kind: must be KubeSchedulerConfiguration/ },
    { name: 'not YAML', text: '{ a: [', message: /not valid YAML or JSON/ },
    { name: 'not an object', text: '- a\n', message: /^configuration: must be an object/ },
    { name: 'unknown top-level field', text: `${head}profile: []\n`, message: /^profile: unknown field/ },
    { name: 'unknown profile field', text: `${head}profiles: [{ name: x }]\n`, message: /^profiles\[0\]\.name: unknown field/ },
    { name: 'unknown extension point', text: `${head}profiles: [{ plugins: { filters: {} } }]\n`, message: /^profiles\[0\]\.plugins\.filters: unknown field/ },
    { name: 'unknown plugin enabled', text: `${head}profiles: [{ plugins: { filter: { enabled: [{ name: Nope }] } } }]\n`, message: /^profiles\[0\]\.plugins\.filter\.enabled\[0\]\.name: unknown plugin "Nope" \(available: .*NodeName/ },
    { name: 'unknown plugin disabled', text: `${head}profiles: [{ plugins: { multiPoint: { disabled: [{ name: Nope }] } } }]\n`, message: /unknown plugin "Nope"/ },
    { name: 'Kubernetes plugin Kite lacks, enabled', text: `${head}profiles: [{ plugins: { filter: { enabled: [{ name: VolumeZone }] } } }]\n`, message: /plugin "VolumeZone" is not available in Kite yet/ },
    { name: 'unknown plugin in pluginConfig', text: `${head}profiles: [{ pluginConfig: [{ name: Nope, args: {} }] }]\n`, message: /^profiles\[0\]\.pluginConfig\[0\]\.name: unknown plugin "Nope"/ },
    { name: 'plugin configured twice', text: `${head}profiles: [{ pluginConfig: [{ name: NodeAffinity }, { name: NodeAffinity }] }]\n`, message: /configured twice/ },
    { name: 'plugin enabled twice', text: `${head}profiles: [{ plugins: { score: { enabled: [{ name: NodeAffinity }, { name: NodeAffinity }] } } }]\n`, message: /enabled twice/ },
    { name: 'bad weight', text: `${head}profiles: [{ plugins: { score: { enabled: [{ name: NodeAffinity, weight: -1 }] } } }]\n`, message: /weight: must be a positive whole number/ },
    { name: 'bad percentage', text: `${head}percentageOfNodesToScore: 150\n`, message: /^percentageOfNodesToScore: must be a whole number from 0 to 100/ },
    { name: 'duplicate scheduler names', text: `${head}profiles: [{ schedulerName: a }, { schedulerName: a }]\n`, message: /^profiles\[1\]\.schedulerName: "a" is used by two profiles/ },
    { name: 'different queue sorts', text: `${head}profiles: [{ schedulerName: a }, { schedulerName: b, plugins: { queueSort: { disabled: [{ name: '*' }] } } }]\n`, message: /same QueueSort/ },
    { name: 'extenders', text: `${head}extenders: [{ urlPrefix: http://x }]\n`, message: /^extenders: scheduler extenders are not supported/ },
    { name: 'enabled entry with a typo', text: `${head}profiles: [{ plugins: { score: { enabled: [{ nmae: NodeAffinity }] } } }]\n`, message: /enabled\[0\]\.nmae: unknown field/ },
  ];
  for (const c of errors) {
    it(`rejects: ${c.name}`, () => {
      assert.throws(() => parseSchedulerConfig(c.text), (e) => e instanceof SchedulerConfigError && c.message.test(e.message));
    });
  }

  it('accepts and reports fields it does not act on', () => {
    const { warnings } = parseSchedulerConfig(`${head}parallelism: 8\nleaderElection: { leaderElect: true }\n`);
    assert.deepEqual(warnings, ['parallelism has no effect in Kite', 'leaderElection has no effect in Kite']);
  });
});

describe('checkProfiles', () => {
  const errors: { name: string; text: string; message: RegExp }[] = [
    { name: 'a plugin enabled at a point it does not implement', text: `${head}profiles: [{ plugins: { filter: { enabled: [{ name: PrioritySort }] } } }]\n`, message: /^profiles\[0\] \(default-scheduler\): .*PrioritySort does not implement filter/ },
    { name: 'args the plugin rejects', text: `${head}profiles: [{ pluginConfig: [{ name: PodTopologySpread, args: { defaultingType: Sometimes } }] }]\n`, message: /defaultingType must be System or List/ },
    { name: 'no Bind plugin left', text: `${head}profiles: [{ plugins: { multiPoint: { disabled: [{ name: DefaultBinder }] } } }]\n`, message: /at least one Bind plugin/ },
  ];
  for (const c of errors) {
    it(`rejects: ${c.name}`, () => {
      const { profiles } = parseSchedulerConfig(c.text);
      assert.throws(() => checkProfiles(profiles), (e) => e instanceof SchedulerConfigError && c.message.test(e.message));
    });
  }
});

describe('mergePluginSet', () => {
  const d: PluginSet = { enabled: [{ name: 'A' }, { name: 'B', weight: 2 }, { name: 'C' }] };
  const cases: { name: string; custom: PluginSet; want: string[] }[] = [
    { name: 'nothing custom keeps the defaults', custom: {}, want: ['A', 'B:2', 'C'] },
    { name: 'new plugins are appended', custom: { enabled: [{ name: 'D', weight: 4 }] }, want: ['A', 'B:2', 'C', 'D:4'] },
    { name: 're-enabled defaults are replaced in place', custom: { enabled: [{ name: 'C', weight: 9 }, { name: 'B', weight: 5 }] }, want: ['A', 'B:5', 'C:9'] },
    { name: 'disabled defaults are dropped', custom: { disabled: [{ name: 'B' }] }, want: ['A', 'C'] },
    { name: '"*" drops every default', custom: { disabled: [{ name: '*' }], enabled: [{ name: 'C' }] }, want: ['C'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = mergePluginSet(d, c.custom);
      assert.deepEqual(got.enabled?.map((e) => e.weight === undefined ? e.name : `${e.name}:${e.weight}`), c.want);
    });
  }
  it('the default names are what the profile lists', () => assert.ok(defaultNames.includes('DefaultBinder')));
});
