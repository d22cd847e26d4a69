// Parses a request path into what the REST handlers need: which resource, which verb.
import { badRequest } from '../apimachinery/status.js';

export interface RequestInfo {
  /** False for non-resource paths like /version, /healthz, /openapi/v3. */
  isResource: boolean;
  path: string;
  /** `api` or `apis` for resource requests. */
  prefix?: 'api' | 'apis';
  group: string;
  version: string;
  namespace?: string;
  resource?: string;
  name?: string;
  subresource?: string;
  /** get, list, watch, create, update, patch, delete, deletecollection; or the HTTP method for non-resource paths. */
  verb: string;
  /** Path segments after the resource parts (e.g. proxy paths). */
  rest: string[];
}

const namespaceSubresources = new Set(['status', 'finalize']);

export function parseRequestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const parts = path.split('/').filter((p) => p.length > 0).map(safeDecode);
  const base: RequestInfo = { isResource: false, path, group: '', version: '', verb: method.toLowerCase(), rest: [] };
  let i = 0;
  if (parts[0] === 'api') {
    base.prefix = 'api';
    i = 1;
  } else if (parts[0] === 'apis') {
    base.prefix = 'apis';
    if (parts.length < 3) return base; // /apis or /apis/<group>: discovery
    base.group = parts[1];
    i = 2;
  } else {
    return base;
  }
  if (parts.length <= i) return base; // /api
  base.version = parts[i++];
  if (parts.length <= i) return base; // /api/v1: discovery
  base.isResource = true;

  // `/namespaces/<ns>/<resource>…` scopes a resource; `/namespaces/<ns>/status|finalize` are the
  // namespace object's own subresources.
  if (parts[i] === 'namespaces' && parts.length > i + 2 && !namespaceSubresources.has(parts[i + 2])) {
    base.namespace = parts[i + 1];
    i += 2;
  }
  base.resource = parts[i++];
  if (i < parts.length) base.name = parts[i++];
  if (i < parts.length) base.subresource = parts[i++];
  base.rest = parts.slice(i);
  base.verb = verbOf(method, base.name !== undefined, query);
  return base;
}

function verbOf(method: string, named: boolean, query: URLSearchParams): string {
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (isTrue(query.get('watch'))) return 'watch';
      return named ? 'get' : 'list';
    case 'POST': return 'create';
    case 'PUT': return 'update';
    case 'PATCH': return 'patch';
    case 'DELETE': return named ? 'delete' : 'deletecollection';
    default: return method.toLowerCase();
  }
}

/** Query booleans as Kubernetes clients send them: true, True, TRUE, 1, t. */
export function isTrue(v: string | null | undefined): boolean {
  if (v == null) return false;
  return v === '1' || v.toLowerCase() === 'true' || v === 't' || v === 'T';
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw badRequest(`invalid URL escape in path segment "${s}"`);
  }
}
