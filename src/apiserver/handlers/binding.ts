// pods/binding: assigning a pod to a node, once.
import type { KubeObject } from '../../apimachinery/object.js';
import { conflict, invalid, successStatus } from '../../apimachinery/status.js';
import { formatTime } from '../../apimachinery/duration.js';
import { readBody, mediaType, decodeObject } from '../body.js';
import { writeObject } from '../response.js';
import { requestContext, type RestRequest } from './context.js';
import { parseWriteOptions } from './options.js';

export async function createBinding(r: RestRequest): Promise<void> {
  const opts = parseWriteOptions(r.query);
  const binding = decodeObject(await readBody(r.req), mediaType(r.req)) as KubeObject & { target?: { name?: string; kind?: string } };
  const name = r.info.name!;
  const node = binding.target?.name;
  if (!node) {
    throw invalid('', 'Binding', name, [{ type: 'FieldValueRequired', field: 'target.name', message: 'Required value' }]);
  }
  const ctx = requestContext(r, opts.dryRun, opts.fieldManager);
  await r.store.guaranteedUpdate(r.info.namespace, name, ctx, (pod) => {
    const spec = (pod.spec ??= {}) as { nodeName?: string };
    if (pod.metadata?.deletionTimestamp) throw conflict('', 'pods', name, 'pod is being deleted, cannot be assigned to a host');
    if (spec.nodeName) throw conflict('', 'pods', name, `pod ${name} is already assigned to node "${spec.nodeName}"`);
    spec.nodeName = node;
    const status = (pod.status ??= {}) as { conditions?: Record<string, unknown>[] };
    const conditions = (status.conditions ??= []).filter((c) => c.type !== 'PodScheduled');
    conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: formatTime(ctx.now) });
    status.conditions = conditions;
    return pod;
  }, { subresource: 'system' });
  writeObject(r.res, 201, { ...successStatus(), code: 201 });
}
