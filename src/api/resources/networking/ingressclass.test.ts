import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../apimachinery/object.js';
import type { IngressClass, IngressClassSpec } from 'kubernetes-types/networking/v1.js';
import { ingressclasses } from './ingressclass.js';

const k = (o: IngressClass) => o as unknown as KubeObject;
const messages = (errs: { field: string; message: string }[]) => errs.map((e) => `${e.field}: ${e.message}`);
const ingressClass = (spec: IngressClassSpec): IngressClass => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass',
  metadata: { name: 'nginx', creationTimestamp: '2024-01-01T00:00:00Z' }, spec,
});

describe('IngressClass', () => {
  it('defaults the parameters scope to Cluster', () => {
    const ic = ingressClass({ controller: 'k8s.io/nginx', parameters: { kind: 'Config', name: 'c' } });
    ingressclasses.setDefaults!(k(ic));
    assert.equal(ic.spec!.parameters!.scope, 'Cluster');
  });

  const cases: { name: string; spec: IngressClassSpec; want: string[] }[] = [
    { name: 'a controller alone', spec: { controller: 'example.com/ingress-controller' }, want: [] },
    {
      name: 'namespaced parameters',
      spec: { controller: 'k8s.io/nginx', parameters: { apiGroup: 'k8s.example.com', kind: 'Config', name: 'c', scope: 'Namespace', namespace: 'ops' } },
      want: [],
    },
    { name: 'no controller', spec: {}, want: ['spec.controller: Required value'] },
    {
      name: 'a controller that is not a domain-prefixed path', spec: { controller: 'nginx' },
      want: ['spec.controller: Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")'],
    },
    {
      name: 'a controller with bad path characters', spec: { controller: 'k8s.io/a b' },
      want: ["spec.controller: Invalid value: \"a b\": Invalid path (regex used for validation is '[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+')"],
    },
    {
      name: 'parameters missing fields and a bad scope',
      spec: { controller: 'k8s.io/nginx', parameters: { kind: '', name: 'a/b', scope: 'Global' } },
      want: [
        'spec.parameters.kind: Required value',
        "spec.parameters.name: Invalid value: \"a/b\": may not contain '/'",
        'spec.parameters.scope: Unsupported value: "Global": supported values: "Cluster", "Namespace"',
      ],
    },
    {
      name: 'namespace and scope disagreeing',
      spec: { controller: 'k8s.io/nginx', parameters: { kind: 'C', name: 'c', scope: 'Cluster', namespace: 'ops' } },
      want: ["spec.parameters.namespace: Forbidden: `parameters.scope` is set to 'Cluster'"],
    },
    {
      name: 'namespaced parameters without a namespace',
      spec: { controller: 'k8s.io/nginx', parameters: { kind: 'C', name: 'c', scope: 'Namespace' } },
      want: ["spec.parameters.namespace: Required value: `parameters.scope` is set to 'Namespace'"],
    },
  ];
  for (const c of cases) it(`validates ${c.name}`, () => assert.deepEqual(messages(ingressclasses.validate!(k(ingressClass(c.spec)))), c.want));

  it('keeps the controller immutable', () => {
    assert.deepEqual(messages(ingressclasses.validateUpdate!(k(ingressClass({ controller: 'k8s.io/b' })), k(ingressClass({ controller: 'k8s.io/a' })))),
      ['spec.controller: Invalid value: "k8s.io/b": field is immutable']);
  });

  it('prints CONTROLLER, PARAMETERS and AGE and is cluster-scoped', () => {
    const now = Date.parse('2024-01-03T00:00:00Z');
    assert.deepEqual(ingressclasses.row!(k(ingressClass({ controller: 'k8s.io/nginx' })), now), ['k8s.io/nginx', '<none>', '2d']);
    assert.deepEqual(ingressclasses.row!(k(ingressClass({ controller: 'k8s.io/nginx', parameters: { apiGroup: 'k8s.example.com', kind: 'Config', name: 'c' } })), now),
      ['k8s.io/nginx', 'Config.k8s.example.com/c', '2d']);
    assert.equal(ingressclasses.namespaced, false);
  });
});
