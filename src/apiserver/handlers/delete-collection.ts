// DELETE on a collection: every object the label and field selectors pick is deleted with the
// request's DeleteOptions, and the answer is the list of them as they were listed (as
// kube-apiserver's generic store answers), shaped by the Accept header like any list.
import { methodNotAllowed } from '../../apimachinery/status.js';
import type { KubeObject } from '../../apimachinery/object.js';
import { readDeleteOptionsBody } from '../body.js';
import { buildFilter } from '../registry/filter.js';
import { writeObject } from '../response.js';
import { requestContext, type RestRequest } from './context.js';
import { validateListOptions } from './list-options.js';
import { parseDeleteOptions } from './options.js';
import { renderList, responseShape } from './render.js';

export async function deleteCollection(r: RestRequest): Promise<void> {
  if (!r.store.rt.namespaced && r.store.rt.plural === 'namespaces') throw methodNotAllowed();
  const q = r.query;
  validateListOptions(q, false);
  const shape = responseShape(r.req.headers.accept);
  const options = parseDeleteOptions(await readDeleteOptionsBody(r.req), q);
  const ctx = requestContext(r, options.dryRun ?? false);
  const filter = buildFilter(r.store.rt, q.get('labelSelector'), q.get('fieldSelector'));
  const ns = r.store.rt.namespaced ? r.info.namespace : undefined;
  const list = await r.store.list(ns, {
    filter,
    resourceVersion: q.get('resourceVersion') ?? undefined,
    resourceVersionMatch: q.get('resourceVersionMatch') ?? undefined,
  });
  for (const item of list.items) {
    try {
      // Each delete gets its own copy: a graceful delete may adjust the options it is given.
      await r.store.delete(ns, item.metadata!.name!, { ...options }, ctx);
    } catch (e) {
      // Deleted by someone else in the meantime: still part of the answer, as in Kubernetes.
      if ((e as { code?: number }).code !== 404) throw e;
    }
  }
  const items: KubeObject[] = list.items;
  writeObject(r.res, 200, renderList(r.store, items, { resourceVersion: list.resourceVersion }, shape, q, r.clock.now()));
}
