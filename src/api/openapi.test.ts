import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ResourceType } from './types.js';
import {
  buildOpenAPIV3Document, buildOpenAPIV3Index, documentHash, openAPIV3Path, type OpenAPIV3Document,
} from './openapi.js';

const deployments: ResourceType = {
  group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', singular: 'deployment',
  namespaced: true, schema: 'io.k8s.api.apps.v1.Deployment',
  subresources: [
    { name: 'status', kind: 'Deployment', verbs: ['get', 'update', 'patch'] },
    { name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'update', 'patch'] },
  ],
};
const controllerRevisions: ResourceType = {
  group: 'apps', version: 'v1', kind: 'ControllerRevision', plural: 'controllerrevisions',
  singular: 'controllerrevision', namespaced: true, schema: 'io.k8s.api.apps.v1.ControllerRevision',
};
const nodes: ResourceType = {
  group: '', version: 'v1', kind: 'Node', plural: 'nodes', singular: 'node', namespaced: false,
  schema: 'io.k8s.api.core.v1.Node', verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
  subresources: [{ name: 'status', kind: 'Node', verbs: ['get', 'update', 'patch'] }],
};
const pods: ResourceType = {
  group: '', version: 'v1', kind: 'Pod', plural: 'pods', singular: 'pod', namespaced: true,
  schema: 'io.k8s.api.core.v1.Pod',
  subresources: [
    { name: 'log', kind: 'Pod', verbs: ['get'] },
    { name: 'exec', kind: 'PodExecOptions', verbs: ['get', 'create'] },
    { name: 'binding', kind: 'Binding', verbs: ['create'] },
  ],
};

type Op = Record<string, any>;
const op = (doc: OpenAPIV3Document, path: string, method: string): Op => {
  const o = doc.paths[path]?.[method] as Op | undefined;
  assert.ok(o, `${method} ${path}`);
  return o;
};

test('the index lists each group-version under its URL with the given hash', () => {
  const index = buildOpenAPIV3Index(
    [{ group: 'apps', version: 'v1' }, { group: '', version: 'v1' }],
    (gv) => `H-${gv.group || 'core'}`,
  );
  assert.deepEqual(index, { paths: {
    'api/v1': { serverRelativeURL: '/openapi/v3/api/v1?hash=H-core' },
    'apis/apps/v1': { serverRelativeURL: '/openapi/v3/apis/apps/v1?hash=H-apps' },
  } });
  assert.deepEqual(Object.keys(index.paths), ['api/v1', 'apis/apps/v1']);
  assert.equal(openAPIV3Path({ group: 'rbac.authorization.k8s.io', version: 'v1' }), 'apis/rbac.authorization.k8s.io/v1');
});

test('the apps/v1 document patches deployments with the GVK and the fieldValidation parameter', () => {
  const doc = buildOpenAPIV3Document('apps', 'v1', [deployments, controllerRevisions]);
  const patch = op(doc, '/apis/apps/v1/namespaces/{namespace}/deployments/{name}', 'patch');
  assert.equal(patch.operationId, 'patchAppsV1NamespacedDeployment');
  assert.equal(patch['x-kubernetes-action'], 'patch');
  assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'apps', kind: 'Deployment', version: 'v1' });
  const names = patch.parameters.map((p: Op) => p.name);
  for (const n of ['fieldValidation', 'dryRun', 'fieldManager', 'force']) assert.ok(names.includes(n), n);
  assert.deepEqual(patch.parameters.find((p: Op) => p.name === 'fieldValidation').schema.type, 'string');
  assert.equal(patch.parameters.find((p: Op) => p.name === 'fieldValidation').in, 'query');
  assert.deepEqual(Object.keys(patch.requestBody.content).sort(), [
    'application/apply-patch+yaml', 'application/json-patch+json',
    'application/merge-patch+json', 'application/strategic-merge-patch+json',
  ]);
  for (const [path, method] of [
    ['/apis/apps/v1/namespaces/{namespace}/deployments', 'post'],
    ['/apis/apps/v1/namespaces/{namespace}/deployments/{name}', 'put'],
  ]) {
    assert.ok(op(doc, path, method).parameters.some((p: Op) => p.name === 'fieldValidation'), `${method} ${path}`);
  }
});

test('namespaced kinds get collection, item, all-namespaces, watch and subresource paths', () => {
  const doc = buildOpenAPIV3Document('apps', 'v1', [deployments]);
  const actions = Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item)
    .filter(([m]) => m !== 'parameters').map(([m, o]) => `${m} ${path} ${(o as Op)['x-kubernetes-action']}`));
  assert.deepEqual(actions.sort(), [
    'delete /apis/apps/v1/namespaces/{namespace}/deployments deletecollection',
    'delete /apis/apps/v1/namespaces/{namespace}/deployments/{name} delete',
    'get /apis/apps/v1/deployments list',
    'get /apis/apps/v1/namespaces/{namespace}/deployments list',
    'get /apis/apps/v1/namespaces/{namespace}/deployments/{name} get',
    'get /apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale get',
    'get /apis/apps/v1/namespaces/{namespace}/deployments/{name}/status get',
    'get /apis/apps/v1/watch/deployments watchlist',
    'get /apis/apps/v1/watch/namespaces/{namespace}/deployments watchlist',
    'get /apis/apps/v1/watch/namespaces/{namespace}/deployments/{name} watch',
    'patch /apis/apps/v1/namespaces/{namespace}/deployments/{name} patch',
    'patch /apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale patch',
    'patch /apis/apps/v1/namespaces/{namespace}/deployments/{name}/status patch',
    'post /apis/apps/v1/namespaces/{namespace}/deployments post',
    'put /apis/apps/v1/namespaces/{namespace}/deployments/{name} put',
    'put /apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale put',
    'put /apis/apps/v1/namespaces/{namespace}/deployments/{name}/status put',
  ]);
  assert.equal(op(doc, '/apis/apps/v1/deployments', 'get').operationId, 'listAppsV1DeploymentForAllNamespaces');
  const scale = op(doc, '/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale', 'patch');
  assert.deepEqual(scale['x-kubernetes-group-version-kind'], { group: 'autoscaling', kind: 'Scale', version: 'v1' });
  assert.equal(scale.operationId, 'patchAppsV1NamespacedDeploymentScale');
  const status = op(doc, '/apis/apps/v1/namespaces/{namespace}/deployments/{name}/status', 'put');
  assert.equal(status.requestBody.content['application/json'].schema.$ref, '#/components/schemas/io.k8s.api.apps.v1.Deployment');
  const item = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'];
  assert.deepEqual((item.parameters as Op[]).map((p) => `${p.in}:${p.name}`), ['path:name', 'path:namespace', 'query:pretty']);
});

test('cluster-scoped kinds in the core group have no namespace in their paths', () => {
  const doc = buildOpenAPIV3Document('', 'v1', [nodes, pods]);
  assert.equal(op(doc, '/api/v1/nodes/{name}', 'patch').operationId, 'patchCoreV1Node');
  assert.equal(op(doc, '/api/v1/nodes', 'get')['x-kubernetes-action'], 'list');
  assert.equal(doc.paths['/api/v1/nodes']?.delete, undefined, 'no deletecollection verb');
  assert.ok(op(doc, '/api/v1/nodes/{name}/status', 'patch'));
  assert.ok(op(doc, '/api/v1/watch/nodes/{name}', 'get'));
  assert.equal(op(doc, '/api/v1/namespaces/{namespace}/pods/{name}/exec', 'post')['x-kubernetes-action'], 'connect');
  assert.ok(op(doc, '/api/v1/namespaces/{namespace}/pods/{name}/log', 'get').responses['200'].content['text/plain']);
  const binding = op(doc, '/api/v1/namespaces/{namespace}/pods/{name}/binding', 'post');
  assert.equal(binding.requestBody.content['application/json'].schema.$ref, '#/components/schemas/io.k8s.api.core.v1.Binding');
  assert.ok(doc.components.schemas['io.k8s.api.core.v1.Binding']);
});

test('components hold the kinds, their lists, meta types and Scale, and every $ref resolves', () => {
  const doc = buildOpenAPIV3Document('apps', 'v1', [deployments, nodes]);
  const schemas = doc.components.schemas;
  assert.deepEqual(schemas['io.k8s.api.apps.v1.Deployment']?.['x-kubernetes-group-version-kind'],
    [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
  for (const name of [
    'io.k8s.api.apps.v1.DeploymentList', 'io.k8s.api.core.v1.PodSpec', 'io.k8s.api.autoscaling.v1.Scale',
    'io.k8s.apimachinery.pkg.apis.meta.v1.Status', 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions',
    'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent', 'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
  ]) {
    assert.ok(schemas[name], name);
  }
  assert.equal(schemas['io.k8s.api.core.v1.Node'], undefined, 'other group-versions stay out');
  assert.equal(schemas['io.k8s.api.batch.v1.Job'], undefined, 'unreferenced definitions stay out');
  const containers = schemas['io.k8s.api.core.v1.PodSpec']?.properties?.containers;
  assert.equal(containers?.['x-kubernetes-patch-merge-key'], 'name');
  const dangling: string[] = [];
  JSON.stringify(doc, (key, value: unknown) => {
    if (key === '$ref' && typeof value === 'string' && !schemas[value.replace('#/components/schemas/', '')]) dangling.push(value);
    return value;
  });
  assert.deepEqual(dangling, []);
});

test('documents are deterministic regardless of resource order', () => {
  const a = buildOpenAPIV3Document('apps', 'v1', [deployments, controllerRevisions]);
  const b = buildOpenAPIV3Document('apps', 'v1', [controllerRevisions, deployments]);
  assert.equal(JSON.stringify(a), JSON.stringify(b));
  assert.equal(documentHash(a), documentHash(b));
  assert.match(documentHash(a), /^[0-9A-F]{128}$/);
  assert.notEqual(documentHash(a), documentHash(buildOpenAPIV3Document('apps', 'v1', [deployments])));
  const keys = Object.keys(a.paths);
  assert.deepEqual(keys, [...keys].sort());
});

test('extra schemas describe custom resources', () => {
  const widgets: ResourceType = {
    group: 'example.com', version: 'v1', kind: 'Widget', plural: 'widgets', singular: 'widget',
    namespaced: true, schema: 'com.example.v1.Widget',
  };
  const doc = buildOpenAPIV3Document('example.com', 'v1', [widgets], {
    schemas: {
      'com.example.v1.Widget': {
        type: 'object',
        properties: { metadata: { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' } },
        'x-kubernetes-group-version-kind': [{ group: 'example.com', version: 'v1', kind: 'Widget' }],
      },
    },
    version: 'v1.30.0',
  });
  assert.equal(doc.info.version, 'v1.30.0');
  assert.equal(op(doc, '/apis/example.com/v1/namespaces/{namespace}/widgets/{name}', 'patch').operationId,
    'patchExampleComV1NamespacedWidget');
  assert.ok(doc.components.schemas['com.example.v1.Widget']);
  assert.ok(doc.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']);
  // No WidgetList definition: the list response is an open object rather than a dangling $ref.
  const list = op(doc, '/apis/example.com/v1/namespaces/{namespace}/widgets', 'get');
  assert.equal(list.responses['200'].content['application/json'].schema.type, 'object');
});
