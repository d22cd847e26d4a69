// pods/eviction: a delete that disruption budgets may refuse. No PodDisruptionBudgets are served
// yet, so every eviction is allowed and deletes the pod with the eviction's delete options.
import { badRequest, successStatus } from '../../apimachinery/status.js';
import { readBody, mediaType, decodeObject } from '../body.js';
import { writeJSON } from '../response.js';
import { requestContext, type RestRequest } from './context.js';
import { parseDeleteOptions } from './options.js';

export async function createEviction(r: RestRequest): Promise<void> {
  const eviction = decodeObject(await readBody(r.req), mediaType(r.req)) as { metadata?: { name?: string }; deleteOptions?: unknown };
  const name = r.info.name!;
  if (eviction.metadata?.name && eviction.metadata.name !== name) {
    throw badRequest(`name in URL does not match name in Eviction object`);
  }
  const options = parseDeleteOptions(eviction.deleteOptions, r.query);
  await r.store.delete(r.info.namespace, name, options, requestContext(r, options.dryRun ?? false));
  writeJSON(r.res, 201, { ...successStatus(), code: 201 });
}
