// Dispatch of resource requests to the verb and subresource handlers.
import { methodNotAllowed, StatusError, badRequest } from '../../apimachinery/status.js';
import { admitNamespaceDelete, admitNamespacedCreate } from '../admission/namespace-lifecycle.js';
import { requestContext, type RestRequest } from './context.js';
import { createBinding } from './binding.js';
import { finalizeNamespace } from './namespace-finalize.js';
import { createEviction } from './eviction.js';
import { createTokenRequest } from './token-request.js';
import { NODE_AGENT_SUBRESOURCES, SERVED_SUBRESOURCES } from '../subresources.js';
import { createObject, deleteObject, getObject, listObjects, updateObject, watchObjects } from './objects.js';
import { deleteCollection } from './delete-collection.js';
import { patchObject } from './patch.js';
import { getScale, writeScale } from './scale.js';
import { serveNodeStream } from '../streaming/index.js';
import { negotiateProtobuf } from '../protobuf/index.js';
import { isSelfReview, serveSelfReview } from './self-review.js';

function resourceNotFound(): StatusError {
  return new StatusError(404, 'NotFound', 'the server could not find the requested resource');
}

export async function routeResource(r: RestRequest): Promise<void> {
  const { info, store } = r;
  const rt = store.rt;
  if (rt.namespaced && info.namespace === undefined && !['list', 'watch'].includes(info.verb)) {
    throw info.verb === 'create' ? methodNotAllowed() : resourceNotFound();
  }
  if (!rt.namespaced && info.namespace !== undefined) throw resourceNotFound();
  negotiateProtobuf(r.req, r.res, rt);
  if (isSelfReview(rt)) return serveSelfReview(r);

  if (info.subresource) {
    if (info.rest.length) throw resourceNotFound();
    return routeSubresource(r, info.subresource);
  }
  switch (info.verb) {
    case 'get': return getObject(r);
    case 'list': return listObjects(r);
    case 'watch': return watchObjects(r);
    case 'create':
      if (info.name) throw methodNotAllowed();
      if (rt.namespaced) await admitNamespacedCreate(r.registry, info.namespace!, requestContext(r, false));
      return createObject(r);
    case 'update': return updateObject(r);
    case 'patch': return patchObject(r);
    case 'delete':
      if (rt.plural === 'namespaces' && !rt.group) admitNamespaceDelete(info.name!);
      return deleteObject(r);
    case 'deletecollection': return deleteCollection(r);
    default: throw methodNotAllowed();
  }
}

async function routeSubresource(r: RestRequest, sub: string): Promise<void> {
  const { info, store } = r;
  const declared = store.rt.subresources?.some((s) => s.name === sub)
    || (sub === 'finalize' && store.rt.plural === 'namespaces' && !store.rt.group);
  if (!declared || !SERVED_SUBRESOURCES.has(sub) || !info.name) throw resourceNotFound();
  const method = r.req.method;
  switch (sub) {
    case 'status':
      if (method === 'GET') return getObject(r);
      if (method === 'PUT') return updateObject(r, 'status');
      if (method === 'PATCH') return patchObject(r, 'status');
      throw methodNotAllowed();
    case 'scale':
      if (method === 'GET') return getScale(r);
      if (method === 'PUT' || method === 'PATCH') return writeScale(r, method);
      throw methodNotAllowed();
    case 'binding':
      if (method === 'POST') return createBinding(r);
      throw methodNotAllowed();
    case 'finalize':
      if (method === 'PUT') return finalizeNamespace(r);
      throw methodNotAllowed();
    case 'eviction':
      if (method === 'POST') return createEviction(r);
      throw methodNotAllowed();
    case 'token':
      if (method === 'POST') return createTokenRequest(r, r.serviceAccountTokens);
      throw methodNotAllowed();
    default: {
      if (!NODE_AGENT_SUBRESOURCES.has(sub)) throw resourceNotFound();
      // Streaming subresources (log, exec, attach, portforward) are served by the node agent.
      return serveNodeStream(r, sub);
    }
  }
}
