// namespaces/{name}/finalize: the namespace controller's way to clear spec.finalizers.
import type { KubeObject } from '../../apimachinery/object.js';
import { readBody, mediaType, decodeObject } from '../body.js';
import { writeObject } from '../response.js';
import { requestContext, type RestRequest } from './context.js';
import { parseWriteOptions } from './options.js';

export async function finalizeNamespace(r: RestRequest): Promise<void> {
  const opts = parseWriteOptions(r.query);
  const body = decodeObject(await readBody(r.req), mediaType(r.req)) as KubeObject & { spec?: { finalizers?: string[] } };
  const { object } = await r.store.guaranteedUpdate(undefined, r.info.name!, requestContext(r, opts.dryRun), (ns) => {
    const spec = (ns.spec ??= {}) as { finalizers?: string[] };
    const next = body.spec?.finalizers ?? [];
    if (next.length) spec.finalizers = [...next];
    else delete spec.finalizers;
    return ns;
  }, { subresource: 'system' });
  writeObject(r.res, 200, object);
}
