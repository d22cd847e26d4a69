// Server-side apply (PATCH with application/apply-patch+yaml): the configuration is merged into
// the live object, or creates it, and the field manager records ownership and answers conflicts.
import type { KubeObject } from '../../apimachinery/object.js';
import { OBJECT_MODIFIED, StatusError, badRequest, conflict } from '../../apimachinery/status.js';
import { admitNamespacedCreate } from '../admission/namespace-lifecycle.js';
import { markApply, mergeAppliedConfig } from '../fieldmanager.js';
import { writeObject } from '../response.js';
import { requestContext, warningHeaders, type RestRequest } from './context.js';
import { checkTypeMeta, sanitize } from './decode.js';
import type { WriteOptions } from './options.js';

export async function applyObject(r: RestRequest, patch: unknown, opts: WriteOptions, subresource?: 'status'): Promise<void> {
  const rt = r.store.rt;
  const apiVersion = r.store.apiVersion;
  const ns = rt.namespaced ? r.info.namespace : undefined;
  const name = r.info.name!;
  const config = structuredClone(patch) as KubeObject;
  checkTypeMeta(config, apiVersion, rt.kind);
  const meta = config.metadata;
  if (meta?.name !== undefined && meta.name !== name) {
    throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
  }
  if (rt.namespaced && meta?.namespace !== undefined && meta.namespace !== ns) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  const warnings = sanitize(rt, config, opts.fieldValidation);
  const ctx = requestContext(r, opts.dryRun, opts.fieldManager);
  markApply(ctx, config, opts.force === true);
  try {
    const { object } = await r.store.guaranteedUpdate(ns, name, ctx, (current) => {
      const wantRV = meta?.resourceVersion;
      if (wantRV !== undefined && wantRV !== current.metadata?.resourceVersion) throw conflict(rt.group, rt.plural, name, OBJECT_MODIFIED);
      return mergeAppliedConfig(rt, apiVersion, current, config, ctx, subresource);
    }, { subresource });
    writeObject(r.res, 200, object, warningHeaders([...r.warnings, ...warnings]));
  } catch (e) {
    // An apply creates what does not exist yet (never through a subresource).
    if (!(e instanceof StatusError && e.code === 404 && !subresource && e.details?.name === name)) throw e;
    if (ns) await admitNamespacedCreate(r.registry, ns, ctx);
    const obj = mergeAppliedConfig(rt, apiVersion, undefined, config, ctx);
    obj.metadata = { ...obj.metadata, name };
    delete obj.metadata.resourceVersion;
    const created = await r.store.create(ns, obj, ctx);
    writeObject(r.res, 201, created, warningHeaders([...r.warnings, ...warnings]));
  }
}
