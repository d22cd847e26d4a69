// The scale subresource: an autoscaling/v1 Scale view of any object with replicas.
import type { KubeObject } from '../../apimachinery/object.js';
import { OBJECT_MODIFIED, badRequest, conflict, invalid } from '../../apimachinery/status.js';
import { selectorToString } from '../../apimachinery/labels.js';
import type { ScalePaths } from '../../api/types.js';
import { readBody, mediaType, decodeObject } from '../body.js';
import { writeObject } from '../response.js';
import { requestContext, type RestRequest } from './context.js';
import { applyPatch, decodePatch } from './patch.js';
import { parseWriteOptions } from './options.js';

const SCALE_DEFINITION = 'io.k8s.api.autoscaling.v1.Scale';

function getPath(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const p of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = obj;
  for (const p of parts.slice(0, -1)) {
    if (cur[p] === null || typeof cur[p] !== 'object') cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]] = value;
}

/** A label selector at the path, as a string: a LabelSelector, or a plain map (ReplicationController). */
function selectorString(value: unknown): string {
  if (!value || typeof value !== 'object') return '';
  const v = value as Record<string, unknown>;
  if ('matchLabels' in v || 'matchExpressions' in v) return selectorToString(v as never);
  return Object.keys(v).sort().map((k) => `${k}=${String(v[k])}`).join(',');
}

export function toScale(obj: KubeObject, paths: ScalePaths): KubeObject {
  const m = obj.metadata ?? {};
  const status: Record<string, unknown> = { replicas: Number(getPath(obj, paths.statusReplicas) ?? 0) };
  if (paths.labelSelector) {
    const sel = selectorString(getPath(obj, paths.labelSelector));
    if (sel) status.selector = sel;
  }
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: Number(getPath(obj, paths.specReplicas) ?? 0) },
    status,
  };
}

function scalePaths(r: RestRequest): ScalePaths {
  const p = r.store.rt.scale;
  if (!p) throw badRequest(`${r.store.rt.plural} have no scale subresource`);
  return p;
}

export async function getScale(r: RestRequest): Promise<void> {
  const paths = scalePaths(r);
  const obj = await r.store.get(r.info.namespace, r.info.name!);
  writeObject(r.res, 200, toScale(obj, paths));
}

function replicasOf(scale: KubeObject, name: string): number {
  const n = (scale.spec as { replicas?: unknown } | undefined)?.replicas;
  if (n === undefined) return 0;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    throw invalid('autoscaling', 'Scale', name, [{ type: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(n)}: must be greater than or equal to 0` }]);
  }
  return n;
}

/** PUT or PATCH of /scale: compute the new Scale from the current one, then write replicas back. */
export async function writeScale(r: RestRequest, method: 'PUT' | 'PATCH'): Promise<void> {
  const paths = scalePaths(r);
  const opts = parseWriteOptions(r.query);
  const body = await readBody(r.req);
  const type = mediaType(r.req);
  const name = r.info.name!;
  const rt = r.store.rt;
  const input = method === 'PUT' ? decodeObject(body, type) : decodePatch(body, type);
  const { object } = await r.store.guaranteedUpdate(r.info.namespace, name, requestContext(r, opts.dryRun, opts.fieldManager), (current) => {
    const scale = toScale(current, paths);
    const next = method === 'PUT' ? (structuredClone(input) as KubeObject) : applyPatch(scale, input, type, SCALE_DEFINITION);
    const wantRV = next.metadata?.resourceVersion;
    if (wantRV && wantRV !== current.metadata?.resourceVersion) throw conflict(rt.group, rt.plural, name, OBJECT_MODIFIED);
    setPath(current, paths.specReplicas, replicasOf(next, name));
    return current;
  });
  writeObject(r.res, 200, toScale(object, paths));
}
