// The scheduler: pops a pod, runs its profile's framework on a snapshot of the cache, assumes
// the pod onto the chosen node and binds it in the background, so the next pod's cycle need not
// wait for the API. Failures go back to the queue with PodScheduled=False and a FailedScheduling
// event, worded as kube-scheduler words them.
import type { Node, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../apimachinery/clock.js';
import { formatTime } from '../apimachinery/duration.js';
import type { Logger } from '../apimachinery/log.js';
import type { KubeObject } from '../apimachinery/object.js';
import type { Controller, ControllerContext, EventRecorder } from '../client/controller.js';
import { isNotFound } from '../client/errors.js';
import type { Informer, InformerFactory } from '../client/informer-types.js';
import { objectKey } from '../client/informer-types.js';
import { resourceForKind, type ApiClient } from '../client/rest.js';
import { SchedulerCache } from './cache/cache.js';
import {
  NODE_ADD, NODE_DELETE, POD_ADD, POD_DELETE, WATCHED_RESOURCES, isAssigned, isTerminal, nodeUpdateEvents, podUpdateEvent,
} from './events.js';
import { FitError } from './framework/fiterror.js';
import type { ClusterEvent, PluginRegistry, PodNominator, QueuedPodInfo } from './framework/interface.js';
import type { SchedulerProfile } from './framework/profile.js';
import { Framework } from './framework/runtime.js';
import { Code, Status } from './framework/status.js';
import { CycleState } from './framework/types.js';
import { SchedulingQueue } from './queue/queue.js';
import { DEFAULT_SCHEDULER_NAME, defaultProfile, defaultRegistry } from './plugins/registry.js';

/** Wire types as the client's generic machinery takes them. */
type Obj<T> = T & KubeObject;
const obj = <T>(o: T): Obj<T> => o as Obj<T>;

export const REASON_UNSCHEDULABLE = 'Unschedulable';
export const REASON_SCHEDULER_ERROR = 'SchedulerError';
export const EVENT_FAILED_SCHEDULING = 'FailedScheduling';
export const EVENT_SCHEDULED = 'Scheduled';

export interface SchedulerOptions {
  client: ApiClient;
  clock: Clock;
  logger: Logger;
  recorder: EventRecorder;
  profiles: SchedulerProfile[];
  registry: PluginRegistry;
  /** Shared informers handed to plugins (the scheduler's own pod and node informers come from watch()). */
  informers?: InformerFactory;
  /** Random source for breaking score ties. */
  random?: () => number;
  assumedPodTTLMs?: number;
}

export class Scheduler {
  readonly cache: SchedulerCache;
  readonly queue: SchedulingQueue;
  readonly frameworks = new Map<string, Framework>();
  private readonly client: ApiClient;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly recorder: EventRecorder;
  private pods?: Informer<Obj<Pod>>;
  /** Bindings and status writes in flight; run() waits for them before it returns. */
  private readonly binding = new Set<Promise<void>>();

  constructor(opts: SchedulerOptions) {
    this.client = opts.client;
    this.clock = opts.clock;
    this.logger = opts.logger;
    this.recorder = opts.recorder;
    this.cache = new SchedulerCache(opts.clock, opts.assumedPodTTLMs);
    // The queue keeps the nominations; it is built after the frameworks, which give it its order.
    const nominator: PodNominator = {
      addNominatedPod: (pod, node) => this.queue.addNominatedPod(pod, node),
      deleteNominatedPodIfExists: (pod) => this.queue.deleteNominatedPodIfExists(pod),
      nominatedPodsForNode: (node) => this.queue.nominatedPodsForNode(node),
      hasNominatedPods: () => this.queue.hasNominatedPods(),
    };
    const base = { client: opts.client, clock: opts.clock, logger: opts.logger, recorder: opts.recorder, informers: opts.informers, nominator };
    for (const p of opts.profiles) {
      if (this.frameworks.has(p.schedulerName)) throw new Error(`duplicate scheduler profile ${p.schedulerName}`);
      this.frameworks.set(p.schedulerName, new Framework(p, opts.registry, base, { random: opts.random }));
    }
    const first = this.frameworks.values().next().value as Framework | undefined;
    if (!first) throw new Error('the scheduler needs at least one profile');
    const pluginEvents = new Map<string, ClusterEvent[]>();
    for (const f of this.frameworks.values()) for (const [k, v] of f.pluginEvents()) pluginEvents.set(k, v);
    this.queue = new SchedulingQueue({
      clock: opts.clock,
      less: first.queueSortLess(),
      pluginEvents,
      preEnqueue: (pod) => this.frameworkFor(pod)?.runPreEnqueue(pod) ?? Status.success(),
    });
  }

  /** Whether a profile of ours schedules this pod. */
  responsibleFor(pod: Pod): boolean {
    return this.frameworks.has(pod.spec?.schedulerName ?? DEFAULT_SCHEDULER_NAME);
  }

  private frameworkFor(pod: Pod): Framework | undefined {
    return this.frameworks.get(pod.spec?.schedulerName ?? DEFAULT_SCHEDULER_NAME);
  }

  /** Feeds the cache and the queue from the informers. */
  watch(informers: InformerFactory): void {
    const nodes = informers.informer<Obj<Node>>(resourceForKind('v1', 'Node'));
    const pods = informers.informer<Obj<Pod>>(resourceForKind('v1', 'Pod'));
    this.pods = pods;
    nodes.addEventHandler({
      onAdd: (n) => { this.cache.addNode(n); this.queue.moveAllToActiveOrBackoff(NODE_ADD); },
      onUpdate: (o, n) => {
        this.cache.updateNode(o, n);
        for (const ev of nodeUpdateEvents(o, n)) this.queue.moveAllToActiveOrBackoff(ev);
      },
      onDelete: (n) => { this.cache.removeNode(n); this.queue.moveAllToActiveOrBackoff(NODE_DELETE); },
    });
    pods.addEventHandler({
      onAdd: (p) => this.podAdded(p),
      onUpdate: (o, p) => this.podUpdated(o, p),
      onDelete: (p) => this.podDeleted(p),
    });
    // Other resources only as the plugins ask (e.g. VolumeBinding: claims, volumes, classes).
    const registered = new Set<string>();
    for (const f of this.frameworks.values()) for (const evs of f.pluginEvents().values()) for (const e of evs) registered.add(e.resource);
    for (const [resource, ref] of Object.entries(WATCHED_RESOURCES)) {
      if (!ref || !registered.has(resource)) continue;
      const move = (action: ClusterEvent['action']) => () => this.queue.moveAllToActiveOrBackoff({ resource: resource as ClusterEvent['resource'], action });
      informers.informer(resourceForKind(ref.apiVersion, ref.kind)).addEventHandler({
        onAdd: move('Add'), onUpdate: move('Update'), onDelete: move('Delete'),
      });
    }
  }

  podAdded(p: Pod): void {
    if (isAssigned(p)) {
      if (isTerminal(p)) return;
      this.cache.addPod(p);
      this.queue.deleteNominatedPodIfExists(p);
      this.queue.moveAllToActiveOrBackoff(POD_ADD);
    } else if (this.responsibleFor(p) && !p.metadata?.deletionTimestamp) {
      this.queue.add(p);
    }
  }

  podUpdated(o: Pod, p: Pod): void {
    if (isAssigned(p)) {
      if (!isAssigned(o)) this.queue.delete(p);
      if (isTerminal(p)) { this.podDeleted(p); return; }
      this.cache.updatePod(o, p);
      this.queue.deleteNominatedPodIfExists(p);
      this.queue.moveAllToActiveOrBackoff(isAssigned(o) ? podUpdateEvent(o, p) : POD_ADD);
    } else if (this.responsibleFor(p)) {
      if (p.metadata?.deletionTimestamp) { this.queue.delete(p); return; }
      // A pod being bound shows up unbound in between; the cache already holds it.
      if (this.cache.isAssumed(p)) return;
      this.queue.update(o, p);
    }
  }

  podDeleted(p: Pod): void {
    if (isAssigned(p) || this.cache.isAssumed(p)) {
      this.cache.removePod(p);
      this.queue.moveAllToActiveOrBackoff(POD_DELETE);
    }
    this.queue.delete(p);
    for (const f of this.frameworks.values()) f.waitingPods.get(p.metadata?.uid ?? '')?.reject('', 'pod was deleted');
  }

  /** Schedules pods until the signal aborts; waits for bindings in flight before returning. */
  async run(signal: AbortSignal): Promise<void> {
    this.queue.run(signal);
    this.cache.runCleanup(signal, (p) => this.logger.warn('assumed pod expired without a binding', { pod: objectKey(obj(p)) }));
    while (!signal.aborted) {
      const info = await this.queue.pop(signal);
      if (!info) break;
      try {
        await this.scheduleOne(info);
      } catch (e) {
        this.logger.error('scheduling cycle failed', { pod: objectKey(obj(info.pod)), error: String(e) });
      }
      // A full queue pops without waiting: let the bindings' I/O and the informers' events in
      // between cycles, or every binding would wait for the queue to drain.
      await yieldToEventLoop();
    }
    this.queue.close();
    await this.idle();
  }

  /** One scheduling cycle; the binding cycle it starts runs on (see `idle`). */
  async scheduleOne(info: QueuedPodInfo): Promise<void> {
    const pod = this.latest(info.pod);
    if (!pod || isAssigned(pod) || pod.metadata?.deletionTimestamp || this.cache.isAssumed(pod)) return;
    info.pod = pod;
    const fwk = this.frameworkFor(pod);
    if (!fwk) return;
    const cycle = this.queue.schedulingCycle();
    const state = new CycleState();
    const snapshot = this.cache.snapshot();
    let host: string;
    try {
      host = fwk.schedulePod(state, pod, snapshot).suggestedHost;
    } catch (e) {
      if (e instanceof FitError) {
        let nominatedNodeName: string | undefined;
        if (fwk.hasPostFilterPlugins()) {
          const r = await fwk.runPostFilter(state, pod, e.diagnosis.nodeToStatus);
          if (r.status.message()) e.diagnosis.postFilterMsg = r.status.message();
          nominatedNodeName = r.nominatedNodeName;
          e.message = new FitError(e.numAllNodes, e.diagnosis).message;
        }
        info.unschedulablePlugins = new Set(e.diagnosis.unschedulablePlugins);
        await this.failed(info, cycle, REASON_UNSCHEDULABLE, e.message, nominatedNodeName);
      } else {
        info.unschedulablePlugins = new Set();
        await this.failed(info, cycle, REASON_SCHEDULER_ERROR, e instanceof Error ? e.message : String(e));
      }
      return;
    }
    this.cache.assume(pod, host);
    const reserve = fwk.runReserve(state, pod, host);
    if (!reserve.isSuccess()) {
      fwk.runUnreserve(state, pod, host);
      this.cache.forget(pod);
      await this.failStatus(info, cycle, reserve, 'Reserve');
      return;
    }
    const permit = fwk.runPermit(state, pod, host);
    if (!permit.isSuccess() && permit.code !== Code.Wait) {
      fwk.runUnreserve(state, pod, host);
      this.cache.forget(pod);
      await this.failStatus(info, cycle, permit, 'Permit');
      return;
    }
    const b = this.bindingCycle(fwk, state, info, cycle, host).finally(() => this.binding.delete(b));
    this.binding.add(b);
  }

  /** Resolves once the binding cycles and status writes started so far have finished. */
  async idle(): Promise<void> {
    // A failed binding starts a status write of its own: wait until nothing is left.
    while (this.binding.size > 0) await Promise.allSettled([...this.binding]);
  }

  private async bindingCycle(fwk: Framework, state: CycleState, info: QueuedPodInfo, cycle: number, host: string): Promise<void> {
    const pod = info.pod;
    const undo = async (s: Status, stage: string): Promise<void> => {
      fwk.runUnreserve(state, pod, host);
      this.cache.forget(pod);
      // A failed binding is retried after backoff whatever the reason, as in Kubernetes.
      if (s.code !== Code.Error) s = Status.error(s.message());
      await this.failStatus(info, cycle, s, stage, 'Binding rejected: ');
    };
    try {
      const permit = await fwk.waitOnPermit(pod);
      if (!permit.isSuccess()) { await undo(permit, 'Permit'); return; }
      const pre = await fwk.runPreBind(state, pod, host);
      if (!pre.isSuccess()) { await undo(pre, 'PreBind'); return; }
      const bind = await fwk.runBind(state, pod, host);
      if (!bind.isSuccess()) { await undo(bind.isSkip() ? Status.error('no bind plugin bound the pod') : bind, 'Bind'); return; }
      this.cache.finishBinding(pod);
      this.recorder.event(obj(pod), 'Normal', EVENT_SCHEDULED, `Successfully assigned ${pod.metadata?.namespace}/${pod.metadata?.name} to ${host}`);
      fwk.runPostBind(state, pod, host);
    } catch (e) {
      await undo(Status.error(e instanceof Error ? e.message : String(e)), 'Bind');
    }
  }

  /** Kubernetes' wording: `running Reserve plugin "X": …`, prefixed `Binding rejected: ` in the binding cycle. */
  private async failStatus(info: QueuedPodInfo, cycle: number, s: Status, stage: string, prefix = ''): Promise<void> {
    const rejected = s.isRejected();
    info.unschedulablePlugins = rejected && s.plugin ? new Set([s.plugin]) : new Set();
    const msg = rejected && !prefix ? s.message() : `${prefix}running ${stage} plugin "${s.plugin ?? ''}": ${s.message()}`;
    await this.failed(info, cycle, rejected ? REASON_UNSCHEDULABLE : REASON_SCHEDULER_ERROR, msg);
  }

  /** Requeues the pod, records FailedScheduling, and sets PodScheduled=False on it. */
  private async failed(info: QueuedPodInfo, cycle: number, reason: string, message: string, nominatedNodeName?: string): Promise<void> {
    const pod = info.pod;
    this.logger.info('unable to schedule pod', { pod: objectKey(obj(pod)), reason, message });
    const current = this.latest(pod);
    if (current && !isAssigned(current) && !current.metadata?.deletionTimestamp) {
      this.queue.addUnschedulableIfNotPresent({ ...info, pod: current }, cycle);
    }
    if (nominatedNodeName) this.queue.addNominatedPod(pod, nominatedNodeName);
    this.recorder.event(obj(pod), 'Warning', EVENT_FAILED_SCHEDULING, message);
    if (!current) return;
    // The status write need not hold up the next cycle; run() and idle() wait for it like a binding.
    const w = this.patchScheduledCondition(current, reason, message, nominatedNodeName).finally(() => this.binding.delete(w));
    this.binding.add(w);
  }

  private async patchScheduledCondition(pod: Pod, reason: string, message: string, nominatedNodeName?: string): Promise<void> {
    const old = (pod.status?.conditions ?? []).find((c) => c.type === 'PodScheduled');
    const nominatedChanged = nominatedNodeName !== undefined && nominatedNodeName !== pod.status?.nominatedNodeName;
    if (old && old.status === 'False' && old.reason === reason && old.message === message && !nominatedChanged) return;
    const cond: PodCondition = {
      type: 'PodScheduled', status: 'False', reason, message,
      lastProbeTime: null as unknown as string,
      lastTransitionTime: old?.status === 'False' && old.lastTransitionTime ? old.lastTransitionTime : formatTime(this.clock.now()),
    };
    const patch = { status: { conditions: [cond], ...(nominatedChanged ? { nominatedNodeName } : {}) } };
    try {
      await this.client.kind<Obj<Pod>>('v1', 'Pod').patch(pod.metadata?.namespace, pod.metadata!.name!, patch, 'strategic', { subresource: 'status' });
    } catch (e) {
      if (!isNotFound(e)) this.logger.warn('could not update the pod status', { pod: objectKey(obj(pod)), error: String(e) });
    }
  }

  /** The informer's copy of the pod (undefined once deleted); the pod itself without informers. */
  private latest(pod: Pod): Pod | undefined {
    if (!this.pods) return pod;
    const cur = this.pods.store.get(objectKey(obj(pod)));
    if (cur && cur.metadata?.uid !== pod.metadata?.uid) return undefined;
    return cur;
  }
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The scheduler as a controller: `kite server` runs it like the others. */
export function schedulerController(profiles?: SchedulerProfile[], registry?: PluginRegistry): Controller {
  return {
    name: 'scheduler',
    async run(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
      const reg = registry ?? defaultRegistry();
      const s = new Scheduler({
        client: ctx.client, clock: ctx.clock, logger: ctx.logger.with({ component: 'scheduler' }),
        recorder: ctx.recorder(DEFAULT_SCHEDULER_NAME), registry: reg, informers: ctx.informers,
        profiles: profiles ?? [defaultProfile(reg)],
      });
      s.watch(ctx.informers);
      await ctx.informers.waitForSync(signal);
      if (signal.aborted) return;
      await s.run(signal);
    },
  };
}
