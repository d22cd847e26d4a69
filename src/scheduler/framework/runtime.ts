// A profile's plugins instantiated from the registry, and the extension points run in
// kube-scheduler's order and with its rules: PreFilter results intersect, Filter stops at the
// first rejecting plugin per node, only a share of nodes is searched for feasible ones (from a
// rotating start), Score × weight is summed after NormalizeScore, the best node wins with ties
// broken at random, and Reserve/Permit/PreBind/Bind/PostBind follow with Unreserve on failure.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type {
  BindPlugin, ClusterEvent, EnqueueExtensions, FilterPlugin, Handle, NodeToStatus, PermitPlugin, Plugin,
  PluginRegistry, PluginsRunner, PodNominator, PostBindPlugin, PostFilterPlugin, PreBindPlugin, PreEnqueuePlugin, PreFilterPlugin,
  PreFilterResult, PreScorePlugin, QueuedPodInfo, QueueSortPlugin, ReservePlugin, ScorePlugin,
} from './interface.js';
import { Code, Status } from './status.js';
import { CycleState, MAX_NODE_SCORE, MIN_NODE_SCORE, type NodeInfo, type NodeInfoLister, type NodeScore } from './types.js';
import { FitError, type Diagnosis } from './fiterror.js';
import { EXTENSION_METHOD, pluginArgs, resolvePoints, type ExtensionPoint, type SchedulerProfile } from './profile.js';
import { WaitingPods } from './waitingpods.js';

export const MIN_FEASIBLE_NODES_TO_FIND = 100;
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;
export const DEFAULT_PERCENTAGE_OF_NODES_TO_SCORE = 0;
export const FILTERED_BY_PREFILTER = 'node is filtered out by the prefilter result';

/** How many feasible nodes to look for among `numAllNodes`, as kube-scheduler computes it. */
export function numFeasibleNodesToFind(percentage: number, numAllNodes: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND || percentage >= 100) return numAllNodes;
  let adaptive = percentage;
  if (adaptive <= 0) {
    adaptive = 50 - Math.trunc(numAllNodes / 125);
    if (adaptive < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) adaptive = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  }
  const n = Math.trunc((numAllNodes * adaptive) / 100);
  return n < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : n;
}

export interface ScheduleResult {
  suggestedHost: string;
  evaluatedNodes: number;
  feasibleNodes: number;
}

/** What the framework needs besides the profile; the snapshot is set per cycle, the runner is the framework. */
export type HandleBase = Omit<Handle, 'snapshot' | 'runner' | 'getWaitingPod' | 'nominator'> & { nominator?: PodNominator };

export interface FrameworkOptions {
  /** Random source for breaking score ties (tests pin it). */
  random?: () => number;
}

/** CycleState key of the plugins whose PreFilter said Skip (their Filter does not run this cycle). */
const SKIP_FILTER_KEY = 'framework/skipFilterPlugins';

const noNominations: PodNominator = {
  addNominatedPod: () => undefined,
  deleteNominatedPodIfExists: () => undefined,
  nominatedPodsForNode: () => [],
  hasNominatedPods: () => false,
};

interface Weighted<T> { plugin: T; weight: number }

export class Framework implements PluginsRunner {
  readonly profileName: string;
  readonly handle: Handle;
  readonly waitingPods: WaitingPods;
  private readonly plugins = new Map<string, Plugin>();
  private readonly preEnqueuePlugins: PreEnqueuePlugin[];
  private readonly queueSortPlugin?: QueueSortPlugin;
  private readonly preFilterPlugins: PreFilterPlugin[];
  private readonly filterPlugins: FilterPlugin[];
  private readonly postFilterPlugins: PostFilterPlugin[];
  private readonly preScorePlugins: PreScorePlugin[];
  private readonly scorePlugins: Weighted<ScorePlugin>[];
  private readonly reservePlugins: ReservePlugin[];
  private readonly permitPlugins: PermitPlugin[];
  private readonly preBindPlugins: PreBindPlugin[];
  private readonly bindPlugins: BindPlugin[];
  private readonly postBindPlugins: PostBindPlugin[];
  private readonly percentageOfNodesToScore: number;
  private readonly random: () => number;
  private readonly nominator: PodNominator;
  private currentSnapshot: NodeInfoLister = { list: () => [], get: () => undefined, havePodsWithAffinity: () => [], havePodsWithRequiredAntiAffinity: () => [] };
  private nextStartNodeIndex = 0;

  constructor(profile: SchedulerProfile, registry: PluginRegistry, base: HandleBase, opts: FrameworkOptions = {}) {
    this.profileName = profile.schedulerName;
    this.waitingPods = new WaitingPods(base.clock);
    this.nominator = base.nominator ?? noNominations;
    this.handle = {
      ...base,
      nominator: this.nominator,
      snapshot: () => this.currentSnapshot,
      runner: this,
      getWaitingPod: (uid) => this.waitingPods.get(uid),
    };
    this.random = opts.random ?? Math.random;
    this.percentageOfNodesToScore = profile.percentageOfNodesToScore ?? DEFAULT_PERCENTAGE_OF_NODES_TO_SCORE;
    const instance = (name: string): Plugin => {
      let p = this.plugins.get(name);
      if (p) return p;
      const factory = registry[name];
      if (!factory) throw new Error(`scheduler profile ${profile.schedulerName}: plugin ${name} is not registered`);
      p = factory(pluginArgs(profile, name), this.handle);
      this.plugins.set(name, p);
      return p;
    };
    const points = resolvePoints(profile, (name, point) => typeof (instance(name) as unknown as Record<string, unknown>)[EXTENSION_METHOD[point]] === 'function');
    const at = <T>(point: ExtensionPoint): Weighted<T>[] =>
      (points.get(point) ?? []).map((r) => {
        const p = instance(r.name);
        if (typeof (p as unknown as Record<string, unknown>)[EXTENSION_METHOD[point]] !== 'function') {
          throw new Error(`scheduler profile ${profile.schedulerName}: plugin ${r.name} does not implement ${point}`);
        }
        return { plugin: p as T, weight: r.weight };
      });
    const plain = <T>(point: ExtensionPoint): T[] => at<T>(point).map((w) => w.plugin);
    this.preEnqueuePlugins = plain('preEnqueue');
    const sorts = plain<QueueSortPlugin>('queueSort');
    if (sorts.length > 1) throw new Error(`scheduler profile ${profile.schedulerName}: only one QueueSort plugin may be enabled`);
    this.queueSortPlugin = sorts[0];
    this.preFilterPlugins = plain('preFilter');
    this.filterPlugins = plain('filter');
    this.postFilterPlugins = plain('postFilter');
    this.preScorePlugins = plain('preScore');
    this.scorePlugins = at('score');
    this.reservePlugins = plain('reserve');
    this.permitPlugins = plain('permit');
    this.preBindPlugins = plain('preBind');
    this.bindPlugins = plain('bind');
    this.postBindPlugins = plain('postBind');
    if (this.bindPlugins.length === 0) throw new Error(`scheduler profile ${profile.schedulerName}: at least one Bind plugin is required`);
  }

  plugin(name: string): Plugin | undefined { return this.plugins.get(name); }

  setSnapshot(s: NodeInfoLister): void { this.currentSnapshot = s; }

  queueSortLess(): ((a: QueuedPodInfo, b: QueuedPodInfo) => boolean) | undefined {
    const p = this.queueSortPlugin;
    return p ? (a, b) => p.less(a, b) : undefined;
  }

  /** Plugin name → events it registers; plugins without EnqueueExtensions are left out (they care about all). */
  pluginEvents(): Map<string, ClusterEvent[]> {
    const m = new Map<string, ClusterEvent[]>();
    for (const [name, p] of this.plugins) {
      const ext = p as Partial<EnqueueExtensions>;
      if (typeof ext.eventsToRegister === 'function') m.set(name, ext.eventsToRegister());
    }
    return m;
  }

  runPreEnqueue(pod: Pod): Status {
    for (const p of this.preEnqueuePlugins) {
      const s = p.preEnqueue(pod);
      if (!s.isSuccess()) return s.withPlugin(p.name);
    }
    return Status.success();
  }

  /** PreFilter: results intersect; Skip excludes the plugin's Filter; a rejection ends the cycle. */
  runPreFilter(state: CycleState, pod: Pod, nodes: NodeInfo[]): { result?: PreFilterResult; status: Status; skip: Set<string> } {
    let result: PreFilterResult | undefined;
    const skip = new Set<string>();
    const contributors: string[] = [];
    for (const p of this.preFilterPlugins) {
      let r: ReturnType<PreFilterPlugin['preFilter']>;
      try { r = p.preFilter(state, pod, nodes); } catch (e) { return { status: Status.error(String(e)).withPlugin(p.name), skip }; }
      if (r.status.isSkip()) { skip.add(p.name); state.write(SKIP_FILTER_KEY, skip); continue; }
      if (!r.status.isSuccess()) return { status: r.status.withPlugin(p.name), skip };
      if (r.result?.nodeNames) {
        contributors.push(p.name);
        result = { nodeNames: result?.nodeNames ? new Set([...result.nodeNames].filter((n) => r.result!.nodeNames!.has(n))) : new Set(r.result.nodeNames) };
        if (result.nodeNames!.size === 0) {
          const msg = contributors.length > 1 ? `node(s) didn't satisfy plugin(s) [${contributors.join(' ')}] simultaneously` : `node(s) didn't satisfy plugin ${p.name}`;
          return { status: Status.unresolvable(msg).withPlugin(p.name), skip };
        }
      }
    }
    return { result, status: Status.success(), skip };
  }

  /** Filter plugins in order on one node, stopping at the first that does not pass. */
  runFilter(state: CycleState, pod: Pod, node: NodeInfo, skip: Set<string> = NO_SKIP): Status {
    return runFilters(this.activeFilters(skip), state, pod, node);
  }

  /** The Filter plugins that run this cycle (all but those whose PreFilter said Skip). */
  private activeFilters(skip: Set<string>): FilterPlugin[] {
    return skip.size === 0 ? this.filterPlugins : this.filterPlugins.filter((p) => !skip.has(p.name));
  }

  /**
   * Filter with the nominated pods of equal or higher priority placed on the node too, as
   * Kubernetes does, so a preemptor's room is not taken; the pod must pass with and without them.
   */
  private runFilterWithNominated(state: CycleState, pod: Pod, node: NodeInfo, skip: Set<string>, filters = this.activeFilters(skip)): Status {
    const onNode = this.nominator.nominatedPodsForNode(node.name);
    if (onNode.length === 0) return runFilters(filters, state, pod, node);
    const prio = pod.spec?.priority ?? 0;
    const uid = pod.metadata?.uid;
    const nominated = onNode.filter((p) => p.metadata?.uid !== uid && (p.spec?.priority ?? 0) >= prio);
    if (nominated.length > 0 && 'clone' in node && typeof node.clone === 'function') {
      const withNominated = (node as { clone(): NodeInfo & { addPod(p: Pod): void } }).clone();
      const st = state.clone();
      for (const np of nominated) {
        withNominated.addPod(np);
        for (const pf of this.preFilterPlugins) {
          if (skip.has(pf.name) || !pf.addPod) continue;
          const s = pf.addPod(st, pod, np, withNominated);
          if (!s.isSuccess()) return s.withPlugin(pf.name);
        }
      }
      const s = runFilters(filters, st, pod, withNominated);
      if (!s.isSuccess()) return s;
    }
    return runFilters(filters, state, pod, node);
  }

  runFilterPluginsWithNominatedPods(state: CycleState, pod: Pod, node: NodeInfo): Status {
    return this.runFilterWithNominated(state, pod, node, this.skippedFilters(state));
  }

  runPreFilterExtensionAddPod(state: CycleState, podToSchedule: Pod, podToAdd: Pod, node: NodeInfo): Status {
    const skip = this.skippedFilters(state);
    for (const p of this.preFilterPlugins) {
      if (skip.has(p.name) || !p.addPod) continue;
      const s = p.addPod(state, podToSchedule, podToAdd, node);
      if (!s.isSuccess()) return s.withPlugin(p.name);
    }
    return Status.success();
  }

  runPreFilterExtensionRemovePod(state: CycleState, podToSchedule: Pod, podToRemove: Pod, node: NodeInfo): Status {
    const skip = this.skippedFilters(state);
    for (const p of this.preFilterPlugins) {
      if (skip.has(p.name) || !p.removePod) continue;
      const s = p.removePod(state, podToSchedule, podToRemove, node);
      if (!s.isSuccess()) return s.withPlugin(p.name);
    }
    return Status.success();
  }

  private skippedFilters(state: CycleState): Set<string> {
    return state.read<Set<string>>(SKIP_FILTER_KEY) ?? NO_SKIP;
  }

  async runPostFilter(state: CycleState, pod: Pod, filtered: NodeToStatus): Promise<{ nominatedNodeName?: string; status: Status }> {
    const msgs: string[] = [];
    for (const p of this.postFilterPlugins) {
      const r = await p.postFilter(state, pod, filtered);
      if (r.status.isSuccess()) return r;
      if (r.status.code === Code.UnschedulableAndUnresolvable || r.status.code === Code.Error) return { ...r, status: r.status.withPlugin(p.name) };
      if (r.status.message()) msgs.push(r.status.message());
    }
    return { status: new Status(Code.Unschedulable, msgs) };
  }

  hasPostFilterPlugins(): boolean { return this.postFilterPlugins.length > 0; }

  runPreScore(state: CycleState, pod: Pod, nodes: NodeInfo[]): { status: Status; skip: Set<string> } {
    const skip = new Set<string>();
    for (const p of this.preScorePlugins) {
      const s = p.preScore(state, pod, nodes);
      if (s.isSkip()) { skip.add(p.name); continue; }
      if (!s.isSuccess()) return { status: s.withPlugin(p.name), skip };
    }
    return { status: Status.success(), skip };
  }

  /** Each node's total: every Score plugin's (normalized) score times its weight. */
  runScore(state: CycleState, pod: Pod, nodes: NodeInfo[], skip: Set<string> = NO_SKIP): { scores: NodeScore[]; status: Status } {
    const totals: NodeScore[] = nodes.map((n) => ({ name: n.name, score: 0 }));
    const invalid = (p: ScorePlugin, sc: number) => ({
      scores: [],
      status: Status.error(`plugin ${p.name} returns an invalid score ${sc}, it should in the range of [${MIN_NODE_SCORE}, ${MAX_NODE_SCORE}] after normalizing`).withPlugin(p.name),
    });
    const failed = (p: ScorePlugin, n: NodeInfo, s: Status) => ({
      scores: [], status: Status.error(`plugin ${p.name} failed to score node ${n.name}: ${s.message()}`).withPlugin(p.name),
    });
    for (const { plugin: p, weight } of this.scorePlugins) {
      if (skip.has(p.name)) continue;
      if (!p.normalizeScore) {
        // Nothing to normalize: add each score straight into the totals.
        for (let i = 0; i < nodes.length; i++) {
          const r = p.score(state, pod, nodes[i]);
          if (!r.status.isSuccess()) return failed(p, nodes[i], r.status);
          if (r.score < MIN_NODE_SCORE || r.score > MAX_NODE_SCORE) return invalid(p, r.score);
          totals[i].score += r.score * weight;
        }
        continue;
      }
      const scores: NodeScore[] = new Array(nodes.length);
      for (let i = 0; i < nodes.length; i++) {
        const n = nodes[i];
        const r = p.score(state, pod, n);
        if (!r.status.isSuccess()) return failed(p, n, r.status);
        scores[i] = { name: n.name, score: r.score };
      }
      const s = p.normalizeScore(state, pod, scores);
      if (!s.isSuccess()) return { scores: [], status: s.withPlugin(p.name) };
      for (let i = 0; i < scores.length; i++) {
        const sc = scores[i].score;
        if (sc < MIN_NODE_SCORE || sc > MAX_NODE_SCORE) return invalid(p, sc);
        totals[i].score += sc * weight;
      }
    }
    return { scores: totals, status: Status.success() };
  }

  /** Finds the node for the pod, or throws a FitError saying why none fits (or an Error). */
  schedulePod(state: CycleState, pod: Pod, snapshot: NodeInfoLister): ScheduleResult & { diagnosis: Diagnosis } {
    this.setSnapshot(snapshot);
    const all = snapshot.list();
    const diagnosis: Diagnosis = { nodeToStatus: new Map(), unschedulablePlugins: new Set() };
    if (all.length === 0) throw new FitError(0, diagnosis);
    const pre = this.runPreFilter(state, pod, all);
    if (!pre.status.isSuccess()) {
      if (!pre.status.isRejected()) throw new Error(`running PreFilter plugin ${pre.status.plugin}: ${pre.status.message()}`);
      diagnosis.preFilterMsg = pre.status.message();
      if (pre.status.plugin) diagnosis.unschedulablePlugins.add(pre.status.plugin);
      for (const n of all) diagnosis.nodeToStatus.set(n.name, pre.status);
      throw new FitError(all.length, diagnosis);
    }
    let candidates = all;
    if (pre.result?.nodeNames) {
      const allowed = pre.result.nodeNames;
      candidates = [];
      for (const n of all) {
        if (allowed.has(n.name)) candidates.push(n);
        else diagnosis.nodeToStatus.set(n.name, Status.unresolvable(FILTERED_BY_PREFILTER));
      }
    }
    const feasible = this.findFeasible(state, pod, candidates, pre.skip, diagnosis);
    if (feasible.nodes.length === 0) throw new FitError(all.length, diagnosis);
    if (feasible.nodes.length === 1) return { suggestedHost: feasible.nodes[0].name, evaluatedNodes: feasible.evaluated, feasibleNodes: 1, diagnosis };
    const ps = this.runPreScore(state, pod, feasible.nodes);
    if (!ps.status.isSuccess()) throw new Error(`running PreScore plugin ${ps.status.plugin}: ${ps.status.message()}`);
    const sc = this.runScore(state, pod, feasible.nodes, ps.skip);
    if (!sc.status.isSuccess()) throw new Error(sc.status.message());
    return { suggestedHost: this.selectHost(sc.scores), evaluatedNodes: feasible.evaluated, feasibleNodes: feasible.nodes.length, diagnosis };
  }

  private findFeasible(state: CycleState, pod: Pod, nodes: NodeInfo[], skip: Set<string>, diagnosis: Diagnosis): { nodes: NodeInfo[]; evaluated: number } {
    const want = numFeasibleNodesToFind(this.percentageOfNodesToScore, nodes.length);
    const feasible: NodeInfo[] = [];
    const n = nodes.length;
    const start = n === 0 ? 0 : this.nextStartNodeIndex % n;
    let processed = 0;
    const filters = this.activeFilters(skip);
    const nominated = this.nominator.hasNominatedPods?.() ?? true;
    for (let i = 0; i < n && feasible.length < want; i++) {
      const node = nodes[(start + i) % n];
      processed++;
      const s = nominated ? this.runFilterWithNominated(state, pod, node, skip, filters) : runFilters(filters, state, pod, node);
      if (s.isSuccess()) feasible.push(node);
      else if (s.code === Code.Error) throw new Error(`running Filter plugin ${s.plugin} on node ${node.name}: ${s.message()}`);
      else {
        diagnosis.nodeToStatus.set(node.name, s);
        if (s.plugin) diagnosis.unschedulablePlugins.add(s.plugin);
      }
    }
    this.nextStartNodeIndex = n === 0 ? 0 : (start + processed) % n;
    return { nodes: feasible, evaluated: feasible.length + diagnosis.nodeToStatus.size };
  }

  /** The highest total; among equal totals each is equally likely (reservoir sampling). */
  selectHost(scores: NodeScore[]): string {
    let best = scores[0];
    let ties = 1;
    for (let i = 1; i < scores.length; i++) {
      const s = scores[i];
      if (s.score > best.score) { best = s; ties = 1; }
      else if (s.score === best.score) {
        ties++;
        if (this.random() * ties < 1) best = s;
      }
    }
    return best.name;
  }

  runReserve(state: CycleState, pod: Pod, nodeName: string): Status {
    for (const p of this.reservePlugins) {
      let s: Status;
      try { s = p.reserve(state, pod, nodeName); } catch (e) { s = Status.error(String(e)); }
      if (!s.isSuccess()) return s.withPlugin(p.name);
    }
    return Status.success();
  }

  /** Unreserve runs in reverse order of Reserve, on every Reserve plugin. */
  runUnreserve(state: CycleState, pod: Pod, nodeName: string): void {
    for (const p of [...this.reservePlugins].reverse()) {
      try { p.unreserve(state, pod, nodeName); } catch { /* unreserve must not stop the others */ }
    }
  }

  /** Permit: a rejection ends here; Waits park the pod until allowed, rejected or timed out. */
  runPermit(state: CycleState, pod: Pod, nodeName: string): Status {
    const waits = new Map<string, number>();
    for (const p of this.permitPlugins) {
      const r = p.permit(state, pod, nodeName);
      if (r.status.code === Code.Wait) {
        waits.set(p.name, Math.min(r.timeoutMs ?? MAX_PERMIT_TIMEOUT_MS, MAX_PERMIT_TIMEOUT_MS));
        continue;
      }
      if (!r.status.isSuccess()) return r.status.withPlugin(p.name);
    }
    if (waits.size > 0) {
      this.waitingPods.add(pod, nodeName, waits);
      return new Status(Code.Wait);
    }
    return Status.success();
  }

  /** Resolves when every waiting Permit plugin allowed the pod (Success) or one rejected it. */
  waitOnPermit(pod: Pod): Promise<Status> {
    return this.waitingPods.wait(pod);
  }

  async runPreBind(state: CycleState, pod: Pod, nodeName: string): Promise<Status> {
    for (const p of this.preBindPlugins) {
      let s: Status;
      try { s = await p.preBind(state, pod, nodeName); } catch (e) { s = Status.error(String(e)); }
      if (!s.isSuccess()) return s.withPlugin(p.name);
    }
    return Status.success();
  }

  /** The first Bind plugin that does not Skip binds the pod. */
  async runBind(state: CycleState, pod: Pod, nodeName: string): Promise<Status> {
    for (const p of this.bindPlugins) {
      let s: Status;
      try { s = await p.bind(state, pod, nodeName); } catch (e) { s = Status.error(e instanceof Error ? e.message : String(e)); }
      if (s.isSkip()) continue;
      return s.withPlugin(p.name);
    }
    return Status.skip();
  }

  runPostBind(state: CycleState, pod: Pod, nodeName: string): void {
    for (const p of this.postBindPlugins) {
      try { p.postBind(state, pod, nodeName); } catch { /* informational only */ }
    }
  }
}

const NO_SKIP: Set<string> = new Set();

/** Filter plugins in order on one node, stopping at the first that does not pass. */
function runFilters(filters: FilterPlugin[], state: CycleState, pod: Pod, node: NodeInfo): Status {
  for (let i = 0; i < filters.length; i++) {
    const p = filters[i];
    let s: Status;
    try { s = p.filter(state, pod, node); } catch (e) { s = Status.error(String(e)); }
    if (!s.isSuccess()) return s.withPlugin(p.name);
  }
  return Status.success();
}

/** Kubernetes caps a Permit wait at 15 minutes. */
export const MAX_PERMIT_TIMEOUT_MS = 15 * 60_000;
