// KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1) read from YAML or JSON into the
// scheduler's profiles. As in Kubernetes, each profile's plugins are merged onto the default
// profile: its multiPoint set onto the default multiPoint set (a plugin enabled again keeps its
// place with the new weight, `disabled` removes defaults, `*` all of them), its per-point sets
// taken as given; plugin args are defaulted field by field from the default profile's.
import { parse as parseYaml } from 'yaml';
import { FakeClock } from '../../apimachinery/clock.js';
import { silentLogger } from '../../apimachinery/log.js';
import type { ApiClient } from '../../client/rest.js';
import type { PluginRegistry } from '../framework/interface.js';
import { Framework, type HandleBase } from '../framework/runtime.js';
import { EXTENSION_POINTS, type EnabledPlugin, type ExtensionPoint, type PluginSet, type SchedulerProfile } from '../framework/profile.js';
import { DEFAULT_SCHEDULER_NAME, defaultProfile, defaultRegistry } from '../plugins/registry.js';

export const API_VERSION = 'kubescheduler.config.k8s.io/v1';
export const KIND = 'KubeSchedulerConfiguration';

/** Kubernetes' in-tree plugins: naming one Kite lacks is an error when enabled, and harmless when disabled. */
const KUBERNETES_PLUGINS = new Set([
  'PrioritySort', 'DefaultBinder', 'DefaultPreemption', 'ImageLocality', 'InterPodAffinity', 'NodeAffinity',
  'NodeName', 'NodePorts', 'NodeResourcesBalancedAllocation', 'NodeResourcesFit', 'NodeUnschedulable',
  'NodeVolumeLimits', 'PodTopologySpread', 'SchedulingGates', 'TaintToleration', 'VolumeBinding',
  'VolumeRestrictions', 'VolumeZone', 'DynamicResources',
]);

/** Top-level fields Kite accepts and does not act on (its flags and defaults cover them). */
const IGNORED_FIELDS = new Set([
  'parallelism', 'leaderElection', 'clientConnection', 'healthzBindAddress', 'metricsBindAddress',
  'enableProfiling', 'enableContentionProfiling', 'podInitialBackoffSeconds', 'podMaxBackoffSeconds',
  'delayCacheUntilActive',
]);
const TOP_FIELDS = new Set(['apiVersion', 'kind', 'percentageOfNodesToScore', 'profiles', 'extenders', ...IGNORED_FIELDS]);
const PROFILE_FIELDS = new Set(['schedulerName', 'percentageOfNodesToScore', 'plugins', 'pluginConfig']);
const POINT_FIELDS = new Set<string>([...EXTENSION_POINTS, 'multiPoint']);

export class SchedulerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchedulerConfigError';
  }
}

export interface SchedulerConfig {
  profiles: SchedulerProfile[];
  /** Fields that were accepted but have no effect in Kite. */
  warnings: string[];
}

type Dict = Record<string, unknown>;

const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);

function fail(path: string, message: string): never {
  throw new SchedulerConfigError(`${path}: ${message}`);
}

function dict(v: unknown, path: string): Dict {
  if (!isDict(v)) fail(path, 'must be an object');
  return v;
}

function list(v: unknown, path: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(path, 'must be a list');
  return v;
}

function onlyFields(d: Dict, allowed: Set<string>, path: string): void {
  for (const k of Object.keys(d)) {
    if (!allowed.has(k)) fail(path ? `${path}.${k}` : k, `unknown field (expected one of ${[...allowed].join(', ')})`);
  }
}

function percentage(v: unknown, path: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 100) fail(path, `must be a whole number from 0 to 100, got ${JSON.stringify(v)}`);
  return v;
}

/** The plugin names a config may use: the registry's, plus Kubernetes' in-tree ones when only disabled. */
function checkName(name: unknown, path: string, registry: PluginRegistry, enabling: boolean): string {
  if (typeof name !== 'string' || name === '') fail(`${path}.name`, 'must be a non-empty string');
  if (name === '*' && !enabling) return name;
  if (name in registry) return name;
  if (KUBERNETES_PLUGINS.has(name)) {
    if (!enabling) return name;
    fail(`${path}.name`, `plugin "${name}" is not available in Kite yet (available: ${Object.keys(registry).join(', ')})`);
  }
  fail(`${path}.name`, `unknown plugin "${name}" (available: ${Object.keys(registry).join(', ')})`);
}

function pluginSet(v: unknown, path: string, registry: PluginRegistry): PluginSet {
  const d = dict(v, path);
  onlyFields(d, new Set(['enabled', 'disabled']), path);
  const enabled = list(d.enabled, `${path}.enabled`).map((e, i): EnabledPlugin => {
    const p = `${path}.enabled[${i}]`;
    const entry = dict(e, p);
    onlyFields(entry, new Set(['name', 'weight']), p);
    const name = checkName(entry.name, p, registry, true);
    const w = entry.weight;
    if (w === undefined || w === null || w === 0) return { name };
    if (typeof w !== 'number' || !Number.isInteger(w) || w < 0) fail(`${p}.weight`, `must be a positive whole number, got ${JSON.stringify(w)}`);
    return { name, weight: w };
  });
  const seen = new Set<string>();
  for (const [i, e] of enabled.entries()) {
    if (seen.has(e.name)) fail(`${path}.enabled[${i}]`, `plugin "${e.name}" is enabled twice`);
    seen.add(e.name);
  }
  const disabled = list(d.disabled, `${path}.disabled`).map((e, i) => {
    const p = `${path}.disabled[${i}]`;
    const entry = dict(e, p);
    onlyFields(entry, new Set(['name']), p);
    return { name: checkName(entry.name, p, registry, false) };
  });
  return { enabled, disabled };
}

/** Kubernetes' mergePluginSet: defaults in order (re-enabled ones replaced in place), then the custom additions. */
export function mergePluginSet(defaults: PluginSet, custom: PluginSet): PluginSet {
  const disabled = new Set((custom.disabled ?? []).map((d) => d.name));
  const customEnabled = custom.enabled ?? [];
  const byName = new Map(customEnabled.map((p) => [p.name, p]));
  const replaced = new Set<string>();
  const enabled: EnabledPlugin[] = [];
  if (!disabled.has('*')) {
    for (const p of defaults.enabled ?? []) {
      if (disabled.has(p.name)) continue;
      const c = byName.get(p.name);
      if (c) replaced.add(c.name);
      enabled.push(c ?? p);
    }
  }
  for (const p of customEnabled) if (!replaced.has(p.name)) enabled.push(p);
  return { enabled, disabled: [...(custom.disabled ?? [])] };
}

function pluginConfig(v: unknown, path: string, registry: PluginRegistry): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [i, e] of list(v, path).entries()) {
    const p = `${path}[${i}]`;
    const entry = dict(e, p);
    onlyFields(entry, new Set(['name', 'args']), p);
    const name = checkName(entry.name, p, registry, true);
    if (name in out) fail(p, `plugin "${name}" is configured twice`);
    const { apiVersion: _v, kind: _k, ...args } = entry.args === undefined || entry.args === null ? {} : dict(entry.args, `${p}.args`);
    out[name] = args;
  }
  return out;
}

function profile(v: unknown, path: string, registry: PluginRegistry, topPercentage: number | undefined): SchedulerProfile {
  const d = dict(v, path);
  onlyFields(d, PROFILE_FIELDS, path);
  const base = defaultProfile(registry);
  const schedulerName = d.schedulerName ?? DEFAULT_SCHEDULER_NAME;
  if (typeof schedulerName !== 'string' || schedulerName === '') fail(`${path}.schedulerName`, 'must be a non-empty string');

  const sets: Partial<Record<ExtensionPoint | 'multiPoint', PluginSet>> = {};
  const custom = d.plugins === undefined || d.plugins === null ? {} : dict(d.plugins, `${path}.plugins`);
  onlyFields(custom, POINT_FIELDS, `${path}.plugins`);
  for (const [point, set] of Object.entries(custom)) {
    if (set === null || set === undefined) continue;
    sets[point as ExtensionPoint] = pluginSet(set, `${path}.plugins.${point}`, registry);
  }
  sets.multiPoint = mergePluginSet({ enabled: base.plugins }, sets.multiPoint ?? {});

  const args = pluginConfig(d.pluginConfig, `${path}.pluginConfig`, registry);
  const merged: Record<string, Record<string, unknown>> = { ...base.pluginConfig };
  for (const [name, a] of Object.entries(args)) merged[name] = { ...(base.pluginConfig[name] ?? {}), ...a };

  const pct = percentage(d.percentageOfNodesToScore, `${path}.percentageOfNodesToScore`) ?? topPercentage;
  return { schedulerName, plugins: sets, pluginConfig: merged, ...(pct !== undefined ? { percentageOfNodesToScore: pct } : {}) };
}

/** The queue is shared, so every profile must sort it the same way (as Kubernetes requires). */
function queueSortOf(p: SchedulerProfile): string {
  const sets = p.plugins as Partial<Record<ExtensionPoint | 'multiPoint', PluginSet>>;
  const explicit = sets.queueSort?.enabled?.[0]?.name;
  if (explicit) return explicit;
  const off = new Set((sets.queueSort?.disabled ?? []).map((d) => d.name));
  if (off.has('*')) return '';
  return (sets.multiPoint?.enabled ?? []).find((e) => e.name === 'PrioritySort' && !off.has(e.name))?.name ?? '';
}

/** Reads a configuration object (already decoded). Throws `SchedulerConfigError` naming the field at fault. */
export function schedulerConfigFromObject(doc: unknown, registry: PluginRegistry = defaultRegistry()): SchedulerConfig {
  const d = dict(doc, 'configuration');
  if (d.apiVersion !== API_VERSION) fail('apiVersion', `must be ${API_VERSION}, got ${JSON.stringify(d.apiVersion ?? null)}`);
  if (d.kind !== KIND) fail('kind', `must be ${KIND}, got ${JSON.stringify(d.kind ?? null)}`);
  onlyFields(d, TOP_FIELDS, '');
  if (list(d.extenders, 'extenders').length > 0) fail('extenders', 'scheduler extenders are not supported');
  const warnings = Object.keys(d).filter((k) => IGNORED_FIELDS.has(k)).map((k) => `${k} has no effect in Kite`);
  const top = percentage(d.percentageOfNodesToScore, 'percentageOfNodesToScore');
  const raw = list(d.profiles, 'profiles');
  const profiles = raw.length === 0
    ? [profile({}, 'profiles[0]', registry, top)]
    : raw.map((p, i) => profile(p, `profiles[${i}]`, registry, top));
  const names = new Set<string>();
  for (const [i, p] of profiles.entries()) {
    if (names.has(p.schedulerName)) fail(`profiles[${i}].schedulerName`, `"${p.schedulerName}" is used by two profiles`);
    names.add(p.schedulerName);
    if (queueSortOf(p) !== queueSortOf(profiles[0]!)) fail(`profiles[${i}].plugins.queueSort`, 'every profile must use the same QueueSort plugin');
  }
  return { profiles, warnings };
}

/** Reads a KubeSchedulerConfiguration from YAML or JSON text (JSON is YAML). */
export function parseSchedulerConfig(text: string, registry: PluginRegistry = defaultRegistry()): SchedulerConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new SchedulerConfigError(`not valid YAML or JSON: ${(e as Error).message}`);
  }
  return schedulerConfigFromObject(doc, registry);
}

/**
 * Builds each profile's framework once, so plugin args the factories reject and plugins enabled
 * at a point they do not implement fail at start rather than in the first cycle.
 */
export function checkProfiles(profiles: SchedulerProfile[], registry: PluginRegistry = defaultRegistry(), base?: HandleBase): void {
  // Factories only keep the handle; nothing is called on it while the framework is built.
  const handle: HandleBase = base ?? { client: undefined as unknown as ApiClient, clock: new FakeClock(), logger: silentLogger, recorder: { event: () => undefined } };
  for (const [i, p] of profiles.entries()) {
    try {
      new Framework(p, registry, handle);
    } catch (e) {
      throw new SchedulerConfigError(`profiles[${i}] (${p.schedulerName}): ${(e as Error).message}`);
    }
  }
}
