// Priority admission: a new pod's spec.priority and spec.preemptionPolicy come from its
// PriorityClass (or the global default class), and at most one PriorityClass is the global default.
import type { KubeObject } from '../../apimachinery/object.js';
import { StatusError } from '../../apimachinery/status.js';
import type { Registry } from '../registry/registry.js';
import { admissionForbidden } from './forbidden.js';

/** The priority of pods without a class when no class is the global default. */
export const DEFAULT_PRIORITY_WITHOUT_DEFAULT_CLASS = 0;

interface PriorityClassLike extends KubeObject { value?: number; globalDefault?: boolean; preemptionPolicy?: string }
interface PodLike extends KubeObject { spec?: { priorityClassName?: string; priority?: number; preemptionPolicy?: string } }

function classStore(registry: Registry) {
  return registry.lookup('scheduling.k8s.io', 'v1', 'priorityclasses');
}

/** The global default class; should a race have made several, the one with the lowest value. */
export async function defaultPriorityClass(registry: Registry): Promise<PriorityClassLike | undefined> {
  const store = classStore(registry);
  if (!store) return undefined;
  const { items } = await store.list(undefined, {});
  let found: PriorityClassLike | undefined;
  for (const pc of items as PriorityClassLike[]) {
    if (pc.globalDefault && (!found || (found.value ?? 0) > (pc.value ?? 0))) found = pc;
  }
  return found;
}

async function namedClass(registry: Registry, pod: PodLike, name: string): Promise<PriorityClassLike> {
  const store = classStore(registry);
  try {
    if (store) return (await store.get(undefined, name)) as PriorityClassLike;
  } catch (e) {
    if (!(e instanceof StatusError && e.code === 404)) throw e;
  }
  throw admissionForbidden('', 'pods', pod, `no PriorityClass with name ${name} was found`);
}

/** Resolves a new pod's priority; a priority or policy the pod sets itself must agree with its class. */
export async function admitPodPriority(registry: Registry, pod: PodLike): Promise<void> {
  const spec = (pod.spec ??= {});
  let priority: number;
  let policy: string | undefined;
  if (!spec.priorityClassName) {
    const dpc = await defaultPriorityClass(registry);
    if (dpc) {
      spec.priorityClassName = dpc.metadata?.name;
      priority = dpc.value ?? 0;
      policy = dpc.preemptionPolicy;
    } else {
      priority = DEFAULT_PRIORITY_WITHOUT_DEFAULT_CLASS;
      policy = 'PreemptLowerPriority';
    }
  } else {
    const pc = await namedClass(registry, pod, spec.priorityClassName);
    priority = pc.value ?? 0;
    policy = pc.preemptionPolicy;
  }
  if (spec.priority !== undefined && spec.priority !== null && spec.priority !== priority) {
    throw admissionForbidden('', 'pods', pod, `the integer value of priority (${spec.priority}) must not be provided in pod spec; `
      + `priority admission controller computed ${priority} from the given PriorityClass name`);
  }
  spec.priority = priority;
  if (policy) {
    if (spec.preemptionPolicy && spec.preemptionPolicy !== policy) {
      throw admissionForbidden('', 'pods', pod, `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; `
        + `priority admission controller computed ${policy} from the given PriorityClass name`);
    }
    spec.preemptionPolicy = policy;
  }
}

/**
 * A class may become the global default only while no other class is: refused on create when a
 * default exists, and on update when the existing default is another class.
 */
export async function validatePriorityClassDefault(registry: Registry, pc: PriorityClassLike, isUpdate: boolean): Promise<void> {
  if (!pc.globalDefault) return;
  const dpc = await defaultPriorityClass(registry);
  if (!dpc) return;
  if (!isUpdate || dpc.metadata?.name !== pc.metadata?.name) {
    throw admissionForbidden('scheduling.k8s.io', 'priorityclasses', pc,
      `PriorityClass ${dpc.metadata?.name ?? ''} is already marked as default. Only one default can exist`);
  }
}
