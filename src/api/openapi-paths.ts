// The REST paths of one resource as OpenAPI v3 path items: collection and item paths in their
// namespaced or cluster-scoped shapes, the all-namespaces list, watch paths and subresources.
import type { GroupVersionKind } from '../apimachinery/object.js';
import type { ResourceType, SubresourceType } from './types.js';
import { actionParams, pathParam, pretty, type Parameter } from './openapi-params.js';

/** How path building names schemas; the document builder records what gets referenced. */
export interface SchemaLinks {
  /** A `$ref` to the definition, or an open object schema when there is none. */
  ref(definition: string | undefined): object;
  /** The definition that describes a kind. */
  definitionOf(gvk: GroupVersionKind): string | undefined;
}

export type PathItem = Record<string, unknown>;

const DEFAULT_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];
// These subresources stream over an upgraded connection rather than exchanging objects.
const CONNECT = new Set(['exec', 'attach', 'portforward', 'proxy']);
const STATUS = 'io.k8s.apimachinery.pkg.apis.meta.v1.Status';
const WATCH_EVENT = 'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent';
const DELETE_OPTIONS = 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions';
const PATCH = 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch';
const PATCH_TYPES = [
  'application/json-patch+json', 'application/merge-patch+json',
  'application/strategic-merge-patch+json', 'application/apply-patch+yaml',
];

/** `/api/v1` or `/apis/<group>/<version>`. */
export function groupVersionPrefix(group: string, version: string): string {
  return group ? `/apis/${group}/${version}` : `/api/${version}`;
}

const capital = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** `apps` → `AppsV1`, `rbac.authorization.k8s.io` → `RbacAuthorizationV1`, core → `CoreV1`. */
function groupVersionWord(group: string, version: string): string {
  const g = group ? group.replace(/\.k8s\.io$/, '').split(/[.-]/).map(capital).join('') : 'Core';
  return g + capital(version);
}

const body = (schema: object, types = ['application/json', 'application/yaml']) =>
  ({ content: Object.fromEntries(types.map((t) => [t, { schema }])) });

export function resourcePaths(rt: ResourceType, links: SchemaLinks): Record<string, PathItem> {
  const verbs = new Set(rt.verbs ?? DEFAULT_VERBS);
  const gv = groupVersionWord(rt.group, rt.version);
  const prefix = groupVersionPrefix(rt.group, rt.version);
  const scope = rt.namespaced ? 'Namespaced' : '';
  const gvk = { group: rt.group, version: rt.version, kind: rt.kind };
  const kindRef = links.ref(rt.schema);
  const listDef = links.definitionOf({ ...gvk, kind: `${rt.kind}List` });
  const listRef = links.ref(listDef);

  const op = (action: string, operationId: string, description: string, kind: GroupVersionKind,
    responses: Record<string, unknown>, requestBody?: object): Record<string, unknown> => ({
    description,
    operationId,
    parameters: actionParams[action],
    ...(requestBody ? { requestBody } : {}),
    responses: { ...responses, '401': { description: 'Unauthorized' } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': kind,
  });
  const ok = (schema: object) => ({ '200': { description: 'OK', ...body(schema) } });
  const written = (schema: object) => ({ ...ok(schema), '201': { description: 'Created', ...body(schema) } });
  const statusOk = { ...ok(links.ref(STATUS)), '202': { description: 'Accepted', ...body(links.ref(STATUS)) } };
  const watchOk = {
    '200': { description: 'OK', ...body(links.ref(WATCH_EVENT), ['application/json', 'application/json;stream=watch']) },
  };
  const deleteBody = body(links.ref(DELETE_OPTIONS), ['application/json']);
  const patchBody = { required: true, ...body(links.ref(PATCH), PATCH_TYPES) };
  const objectBody = (schema: object) => ({ required: true, ...body(schema) });

  const nsParam = pathParam('namespace', 'object name and auth scope, such as for teams and projects');
  const nameParam = pathParam('name', `name of the ${rt.kind}`);
  const scopeParams = rt.namespaced ? [nsParam] : [];
  const collectionPath = `${prefix}${rt.namespaced ? '/namespaces/{namespace}' : ''}/${rt.plural}`;
  const itemPath = `${collectionPath}/{name}`;
  const paths: Record<string, PathItem> = {};
  const add = (path: string, params: Parameter[], method: string, operation: object) => {
    paths[path] ??= { parameters: [...params, pretty] };
    paths[path][method] = operation;
  };

  if (verbs.has('list')) {
    add(collectionPath, scopeParams, 'get', op('list', `list${gv}${scope}${rt.kind}`,
      `list or watch objects of kind ${rt.kind}`, gvk, ok(listRef)));
    if (rt.namespaced) {
      add(`${prefix}/${rt.plural}`, [], 'get', op('list', `list${gv}${rt.kind}ForAllNamespaces`,
        `list or watch objects of kind ${rt.kind} in all namespaces`, gvk, ok(listRef)));
    }
  }
  if (verbs.has('create')) {
    add(collectionPath, scopeParams, 'post', op('post', `create${gv}${scope}${rt.kind}`,
      `create a ${rt.kind}`, gvk, { ...written(kindRef), '202': { description: 'Accepted', ...body(kindRef) } }, objectBody(kindRef)));
  }
  if (verbs.has('deletecollection')) {
    add(collectionPath, scopeParams, 'delete', op('deletecollection', `delete${gv}Collection${scope}${rt.kind}`,
      `delete a collection of ${rt.kind}`, gvk, ok(links.ref(STATUS)), deleteBody));
  }
  if (verbs.has('get')) {
    add(itemPath, [nameParam, ...scopeParams], 'get', op('get', `read${gv}${scope}${rt.kind}`,
      `read the specified ${rt.kind}`, gvk, ok(kindRef)));
  }
  if (verbs.has('update')) {
    add(itemPath, [nameParam, ...scopeParams], 'put', op('put', `replace${gv}${scope}${rt.kind}`,
      `replace the specified ${rt.kind}`, gvk, written(kindRef), objectBody(kindRef)));
  }
  if (verbs.has('patch')) {
    add(itemPath, [nameParam, ...scopeParams], 'patch', op('patch', `patch${gv}${scope}${rt.kind}`,
      `partially update the specified ${rt.kind}`, gvk, written(kindRef), patchBody));
  }
  if (verbs.has('delete')) {
    add(itemPath, [nameParam, ...scopeParams], 'delete', op('delete', `delete${gv}${scope}${rt.kind}`,
      `delete a ${rt.kind}`, gvk, statusOk, deleteBody));
  }
  if (verbs.has('watch')) {
    const watchPrefix = `${prefix}/watch${rt.namespaced ? '/namespaces/{namespace}' : ''}/${rt.plural}`;
    add(watchPrefix, scopeParams, 'get', op('watchlist', `watch${gv}${scope}${rt.kind}List`,
      `watch changes to a list of ${rt.kind}`, gvk, watchOk));
    add(`${watchPrefix}/{name}`, [nameParam, ...scopeParams], 'get', op('watch', `watch${gv}${scope}${rt.kind}`,
      `watch changes to an object of kind ${rt.kind}`, gvk, watchOk));
    if (rt.namespaced) {
      add(`${prefix}/watch/${rt.plural}`, [], 'get', op('watchlist', `watch${gv}${rt.kind}ListForAllNamespaces`,
        `watch changes to a list of ${rt.kind} in all namespaces`, gvk, watchOk));
    }
  }

  for (const sr of rt.subresources ?? []) {
    const srGvk = { group: sr.group ?? rt.group, version: sr.version ?? rt.version, kind: sr.kind };
    const srRef = links.ref(sr.name === 'status' ? rt.schema : links.definitionOf(srGvk));
    const id = (verb: string) => `${verb}${gv}${scope}${rt.kind}${capital(sr.name)}`;
    const path = `${itemPath}/${sr.name}`;
    const params = [nameParam, ...scopeParams];
    for (const [method, operation] of subresourceOps(sr, id, srGvk, srRef)) add(path, params, method, operation);
  }
  return paths;

  function subresourceOps(sr: SubresourceType, id: (verb: string) => string, kind: GroupVersionKind, ref: object): [string, object][] {
    if (CONNECT.has(sr.name)) {
      const text = { '200': { description: 'OK', ...body({ type: 'string' }, ['*/*']) } };
      return [
        ['get', op('connect', id('connectGet'), `connect GET requests to ${sr.name} of ${rt.kind}`, kind, text)],
        ['post', op('connect', id('connectPost'), `connect POST requests to ${sr.name} of ${rt.kind}`, kind, text)],
      ];
    }
    const srVerbs = new Set(sr.verbs);
    const ops: [string, object][] = [];
    const what = `${sr.name} of the specified ${rt.kind}`;
    if (srVerbs.has('get')) {
      const responses = sr.name === 'log'
        ? { '200': { description: 'OK', ...body({ type: 'string' }, ['text/plain']) } }
        : ok(ref);
      ops.push(['get', op('get', id('read'), `read ${what}`, kind, responses)]);
    }
    if (srVerbs.has('create')) ops.push(['post', op('post', id('create'), `create ${what}`, kind, written(ref), objectBody(ref))]);
    if (srVerbs.has('update')) ops.push(['put', op('put', id('replace'), `replace ${what}`, kind, written(ref), objectBody(ref))]);
    if (srVerbs.has('patch')) ops.push(['patch', op('patch', id('patch'), `partially update ${what}`, kind, written(ref), patchBody)]);
    return ops;
  }
}
