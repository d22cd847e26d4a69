import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../apimachinery/object.js';
import type { HTTPIngressPath, Ingress, IngressSpec, IngressStatus } from 'kubernetes-types/networking/v1.js';
import { ingresses } from './ingress.js';

const k = (o: Ingress) => o as unknown as KubeObject;
const messages = (errs: { field: string; message: string }[]) => errs.map((e) => `${e.field}: ${e.message}`);
const ingress = (spec: IngressSpec, extra: { annotations?: Record<string, string>; status?: IngressStatus } = {}): Ingress => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'Ingress',
  metadata: { name: 'web', namespace: 'default', creationTimestamp: '2024-01-01T00:00:00Z', annotations: extra.annotations },
  spec, ...(extra.status ? { status: extra.status } : {}),
});
const svc = (name = 'web', port: { number?: number; name?: string } = { number: 80 }) => ({ service: { name, port } });
const rule = (host: string, path = '/', pathType = 'Prefix') => ({ host, http: { paths: [{ path, pathType, backend: svc() }] } });

describe('Ingress validation', () => {
  const cases: { name: string; spec: IngressSpec; annotations?: Record<string, string>; want: string[] }[] = [
    { name: 'a host rule', spec: { ingressClassName: 'nginx', rules: [rule('example.com')], tls: [{ hosts: ['example.com'], secretName: 'tls' }] }, want: [] },
    { name: 'a default backend alone', spec: { defaultBackend: svc('web', { name: 'http' }) }, want: [] },
    { name: 'a wildcard host', spec: { rules: [rule('*.example.com', '/api', 'Exact')] }, want: [] },
    { name: 'a resource backend', spec: { defaultBackend: { resource: { apiGroup: 'k8s.example.com', kind: 'StorageBucket', name: 'assets' } } }, want: [] },
    {
      name: 'neither rules nor a default backend', spec: {},
      want: ['spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified'],
    },
    {
      name: 'an IP host and a bad wildcard',
      spec: { rules: [rule('10.0.0.1'), rule('*.*.example.com')] },
      want: [
        'spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address',
        `spec.rules[1].host: Invalid value: "*.*.example.com": a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      ],
    },
    {
      name: 'bad paths and path types',
      spec: {
        rules: [{
          http: {
            paths: [
              { path: 'api', pathType: 'Prefix', backend: svc() },
              { path: '/a//b/..', pathType: 'Exact', backend: svc() },
              { path: '/', pathType: 'Regex', backend: svc() },
              { path: '/', backend: svc() } as HTTPIngressPath,
            ],
          },
        }, { http: { paths: [] } }],
      },
      want: [
        'spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path',
        "spec.rules[0].http.paths[1].path: Invalid value: \"/a//b/..\": must not contain '//'",
        "spec.rules[0].http.paths[1].path: Invalid value: \"/a//b/..\": cannot end with '/..'",
        'spec.rules[0].http.paths[2].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"',
        'spec.rules[0].http.paths[3].pathType: Required value: pathType must be specified',
        'spec.rules[1].http.paths: Required value',
      ],
    },
    {
      name: 'bad backends',
      spec: {
        defaultBackend: { service: { name: 'Web', port: {} } },
        rules: [{
          http: {
            paths: [
              { path: '/', pathType: 'Prefix', backend: { ...svc(), resource: { kind: 'X', name: 'y' } } },
              { path: '/', pathType: 'Prefix', backend: {} },
              { path: '/', pathType: 'Prefix', backend: svc('web', { name: 'http', number: 80 }) },
              { path: '/', pathType: 'Prefix', backend: svc('web', { number: 70000 }) },
            ],
          },
        }],
      },
      want: [
        `spec.defaultBackend.service.name: Invalid value: "Web": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
        'spec.defaultBackend: Required value: port name or number is required',
        'spec.rules[0].http.paths[0].backend: Invalid value: "": cannot set both resource and service backends',
        'spec.rules[0].http.paths[1].backend: Invalid value: "": resource or service backend is required',
        'spec.rules[0].http.paths[2].backend: Invalid value: "": cannot set both port name & port number',
        'spec.rules[0].http.paths[3].backend.service.port.number: Invalid value: 70000: must be between 1 and 65535, inclusive',
      ],
    },
    {
      name: 'a class annotation disagreeing with ingressClassName',
      spec: { ingressClassName: 'nginx', defaultBackend: svc() }, annotations: { 'kubernetes.io/ingress.class': 'traefik' },
      want: ['annotations.kubernetes.io/ingress.class: Invalid value: "traefik": must match `ingressClassName` when both are specified'],
    },
  ];
  for (const c of cases) {
    it(`validates ${c.name}`, () =>
      assert.deepEqual(messages(ingresses.validate!(k(ingress(c.spec, { annotations: c.annotations })))), c.want));
  }

  it('keeps a bad TLS secret name the old object already had, and checks status addresses', () => {
    const spec: IngressSpec = { defaultBackend: svc(), tls: [{ secretName: 'Bad_Name' }] };
    assert.equal(ingresses.validate!(k(ingress(spec))).length, 1);
    const next = ingress(spec, { status: { loadBalancer: { ingress: [{ ip: '300.1.1.1' }, { hostname: '10.0.0.1' }] } } });
    assert.deepEqual(messages(ingresses.validateUpdate!(k(next), k(ingress(spec)))), [
      'status.loadBalancer.ingress[0].ip: Invalid value: "300.1.1.1": must be a valid IP address',
      'status.loadBalancer.ingress[1].hostname: Invalid value: "10.0.0.1": must be a DNS name, not an IP address',
    ]);
  });
});

describe('Ingress resource', () => {
  const now = Date.parse('2024-01-03T00:00:00Z');
  it('prints CLASS, HOSTS, ADDRESS, PORTS and AGE', () => {
    assert.deepEqual(ingresses.row!(k(ingress({ defaultBackend: svc() })), now), ['<none>', '*', '', '80', '2d']);
    const many = ingress(
      { ingressClassName: 'nginx', rules: ['a.com', 'b.com', 'c.com', 'd.com', 'e.com'].map((h) => rule(h)), tls: [{ hosts: ['a.com'] }] },
      { status: { loadBalancer: { ingress: [{ ip: '192.168.100.12' }, { hostname: 'lb.example.com' }, { ip: '10.0.0.1' }] } } },
    );
    assert.deepEqual(ingresses.row!(k(many), now), ['nginx', 'a.com,b.com,c.com + 2 more...', '10.0.0.1,192....', '80, 443', '2d']);
  });

  it('is namespaced with the ing short name and a status subresource', () => {
    assert.deepEqual([ingresses.namespaced, ingresses.shortNames, ingresses.subresources?.map((s) => s.name)], [true, ['ing'], ['status']]);
  });
});
