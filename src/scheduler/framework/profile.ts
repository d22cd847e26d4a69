// Scheduler profiles: which plugins run at which extension point, with their weights and args.
// Two shapes are accepted: Kubernetes' per-extension-point sets ({ filter: { enabled: […] } },
// with `multiPoint` enabling a plugin everywhere it fits), or a plain list meaning multiPoint.

export const EXTENSION_POINTS = [
  'preEnqueue', 'queueSort', 'preFilter', 'filter', 'postFilter', 'preScore', 'score',
  'reserve', 'permit', 'preBind', 'bind', 'postBind',
] as const;
export type ExtensionPoint = (typeof EXTENSION_POINTS)[number];

/** The method whose presence says a plugin implements the extension point. */
export const EXTENSION_METHOD: Record<ExtensionPoint, string> = {
  preEnqueue: 'preEnqueue', queueSort: 'less', preFilter: 'preFilter', filter: 'filter',
  postFilter: 'postFilter', preScore: 'preScore', score: 'score', reserve: 'reserve',
  permit: 'permit', preBind: 'preBind', bind: 'bind', postBind: 'postBind',
};

export interface EnabledPlugin { name: string; weight?: number }
export interface PluginSet { enabled?: EnabledPlugin[]; disabled?: { name: string }[] }

export interface SchedulerProfile {
  schedulerName: string;
  plugins: Partial<Record<ExtensionPoint | 'multiPoint', PluginSet>> | EnabledPlugin[];
  /** `[{ name, args }]` as Kubernetes writes it, or `{ [name]: args }`. */
  pluginConfig?: { name: string; args?: Record<string, unknown> }[] | Record<string, Record<string, unknown>>;
  /** 0 or absent: Kubernetes' adaptive percentage. */
  percentageOfNodesToScore?: number;
}

export function pluginArgs(profile: SchedulerProfile, name: string): Record<string, unknown> | undefined {
  const pc = profile.pluginConfig;
  if (!pc) return undefined;
  if (Array.isArray(pc)) return pc.find((c) => c.name === name)?.args;
  return pc[name];
}

export interface ResolvedPoint { name: string; weight: number; explicit: boolean }

/**
 * For each extension point, the plugins enabled there in order. multiPoint plugins come first
 * and only where they implement the point (`implements`); explicit entries follow, replacing a
 * multiPoint entry of the same name; `disabled` (`*` for all) removes multiPoint entries.
 */
export function resolvePoints(
  profile: SchedulerProfile,
  implementsPoint: (name: string, point: ExtensionPoint) => boolean,
): Map<ExtensionPoint, ResolvedPoint[]> {
  const sets = Array.isArray(profile.plugins) ? { multiPoint: { enabled: profile.plugins } } : profile.plugins;
  const multi = sets.multiPoint?.enabled ?? [];
  const out = new Map<ExtensionPoint, ResolvedPoint[]>();
  for (const point of EXTENSION_POINTS) {
    const set = sets[point];
    const disabled = new Set((set?.disabled ?? []).map((d) => d.name));
    const explicit = set?.enabled ?? [];
    const explicitNames = new Set(explicit.map((e) => e.name));
    const list: ResolvedPoint[] = [];
    if (!disabled.has('*')) {
      for (const p of multi) {
        if (disabled.has(p.name) || explicitNames.has(p.name) || !implementsPoint(p.name, point)) continue;
        list.push({ name: p.name, weight: p.weight ?? 1, explicit: false });
      }
    }
    for (const p of explicit) list.push({ name: p.name, weight: p.weight ?? 1, explicit: true });
    out.set(point, list);
  }
  return out;
}
