import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PodSpec } from 'kubernetes-types/core/v1.js';
import { defaultPullPolicy, imageTag } from './pod-spec-defaults.js';
import { setPodSpecDefaults, setPodTemplateSpecDefaults, validatePodSpec, validatePodTemplateSpec } from './pod-spec.js';

const spec = (patch: Partial<PodSpec> = {}): PodSpec => ({ containers: [{ name: 'app', image: 'nginx:1.25' }], ...patch });
const defaulted = (patch: Partial<PodSpec> = {}): PodSpec => {
  const s = spec(patch);
  setPodSpecDefaults(s);
  return s;
};

describe('image pull policy default', () => {
  const cases: [string, string, string][] = [
    ['nginx', 'latest', 'Always'],
    ['nginx:latest', 'latest', 'Always'],
    ['nginx:1.25', '1.25', 'IfNotPresent'],
    ['registry:5000/team/app', 'latest', 'Always'],
    ['registry:5000/team/app:v2', 'v2', 'IfNotPresent'],
    ['nginx@sha256:abcd', '', 'IfNotPresent'],
    ['nginx:1.25@sha256:abcd', '1.25', 'IfNotPresent'],
  ];
  for (const [image, tag, policy] of cases) {
    it(`reads ${image} as tag "${tag}" and pulls ${policy}`, () => {
      assert.equal(imageTag(image), tag);
      assert.equal(defaultPullPolicy(image), policy);
    });
  }
});

describe('setPodSpecDefaults', () => {
  it('fills pod-level defaults', () => {
    const s = defaulted();
    assert.equal(s.restartPolicy, 'Always');
    assert.equal(s.dnsPolicy, 'ClusterFirst');
    assert.equal(s.terminationGracePeriodSeconds, 30);
    assert.equal(s.schedulerName, 'default-scheduler');
    assert.deepEqual(s.securityContext, {});
    assert.equal(s.enableServiceLinks, undefined, 'enableServiceLinks is a pod default, not a template one');
  });

  it('keeps values that are set', () => {
    const s = defaulted({ restartPolicy: 'Never', terminationGracePeriodSeconds: 0, schedulerName: 'mine' });
    assert.equal(s.restartPolicy, 'Never');
    assert.equal(s.terminationGracePeriodSeconds, 0);
    assert.equal(s.schedulerName, 'mine');
  });

  it('fills container, port and probe defaults', () => {
    const s = defaulted({
      containers: [{
        name: 'app', image: 'nginx', ports: [{ containerPort: 80 }],
        livenessProbe: { httpGet: { port: 80 } }, readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 5 },
      }],
    });
    const c = s.containers[0]!;
    assert.equal(c.imagePullPolicy, 'Always');
    assert.equal(c.terminationMessagePath, '/dev/termination-log');
    assert.equal(c.terminationMessagePolicy, 'File');
    assert.deepEqual(c.resources, {});
    assert.equal(c.ports![0]!.protocol, 'TCP');
    assert.deepEqual(c.livenessProbe, {
      httpGet: { port: 80, path: '/', scheme: 'HTTP' },
      timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3,
    });
    assert.equal(c.readinessProbe!.periodSeconds, 5);
  });

  it('gives a sourceless volume an emptyDir and projected files mode 0644', () => {
    const s = defaulted({ volumes: [{ name: 'scratch' }, { name: 'cfg', configMap: { name: 'c' } }, { name: 'h', hostPath: { path: '/x' } }] });
    assert.deepEqual(s.volumes![0], { name: 'scratch', emptyDir: {} });
    assert.equal(s.volumes![1]!.configMap!.defaultMode, 420);
    assert.equal(s.volumes![2]!.hostPath!.type, '');
  });

  it('mirrors container ports to host ports on the host network', () => {
    const s = defaulted({ hostNetwork: true, containers: [{ name: 'a', image: 'x:1', ports: [{ containerPort: 8080 }] }] });
    assert.equal(s.containers[0]!.ports![0]!.hostPort, 8080);
  });

  it('defaults a template spec', () => {
    const t = { metadata: { labels: { app: 'web' } }, spec: spec() };
    setPodTemplateSpecDefaults(t);
    assert.equal(t.spec.restartPolicy, 'Always');
  });
});

describe('validatePodSpec', () => {
  const cases: { name: string; spec: Partial<PodSpec>; want: [string, string][] }[] = [
    { name: 'no containers', spec: { containers: [] }, want: [['spec.containers', 'Required value']] },
    {
      name: 'duplicate container names',
      spec: { containers: [{ name: 'a', image: 'x:1' }, { name: 'a', image: 'y:1' }] },
      want: [['spec.containers[1].name', 'Duplicate value: "a"']],
    },
    {
      name: 'init container reusing a container name',
      spec: { initContainers: [{ name: 'app', image: 'x:1' }] },
      want: [['spec.initContainers[0].name', 'Duplicate value: "app"']],
    },
    { name: 'missing image', spec: { containers: [{ name: 'a' }] }, want: [['spec.containers[0].image', 'Required value']] },
    {
      name: 'bad restart policy', spec: { restartPolicy: 'Sometimes' },
      want: [['spec.restartPolicy', 'Unsupported value: "Sometimes": supported values: "Always", "Never", "OnFailure"']],
    },
    {
      name: 'port out of range',
      spec: { containers: [{ name: 'a', image: 'x:1', ports: [{ containerPort: 70000, protocol: 'TCP' }] }] },
      want: [['spec.containers[0].ports[0].containerPort', 'Invalid value: 70000: must be between 1 and 65535, inclusive']],
    },
    {
      name: 'duplicate volume names',
      spec: { volumes: [{ name: 'v', emptyDir: {} }, { name: 'v', emptyDir: {} }] },
      want: [['spec.volumes[1].name', 'Duplicate value: "v"']],
    },
    {
      name: 'mount of an unknown volume',
      spec: { containers: [{ name: 'a', image: 'x:1', volumeMounts: [{ name: 'nope', mountPath: '/d' }] }] },
      want: [['spec.containers[0].volumeMounts[0].name', 'Not found: "nope"']],
    },
    {
      name: 'liveness success threshold other than 1',
      spec: { containers: [{ name: 'a', image: 'x:1', livenessProbe: { exec: { command: ['true'] }, successThreshold: 2 } }] },
      want: [['spec.containers[0].livenessProbe.successThreshold', 'Invalid value: 2: must be 1']],
    },
    {
      name: 'probe on a plain init container',
      spec: { initContainers: [{ name: 'i', image: 'x:1', readinessProbe: { exec: { command: ['true'] } } }] },
      want: [['spec.initContainers[0].readinessProbe', 'Forbidden: may not be set for init containers without restartPolicy=Always']],
    },
    {
      name: 'Exists toleration with a value',
      spec: { tolerations: [{ key: 'k', operator: 'Exists', value: 'v' }] },
      want: [['spec.tolerations[0].operator', "value must be empty when `operator` is 'Exists'"]],
    },
    {
      name: 'host port differing from container port on the host network',
      spec: { hostNetwork: true, containers: [{ name: 'a', image: 'x:1', ports: [{ containerPort: 80, hostPort: 81, protocol: 'TCP' }] }] },
      want: [['spec.containers[0].ports[0].hostPort', 'Invalid value: 80: must match `containerPort` when `hostNetwork` is true']],
    },
    {
      name: 'container name not a DNS label',
      spec: { containers: [{ name: 'App', image: 'x:1' }] },
      want: [['spec.containers[0].name', 'Invalid value: "App": a lowercase RFC 1123 label must consist of']],
    },
  ];
  for (const c of cases) {
    it(`reports ${c.name}`, () => {
      const s = defaulted(c.spec);
      const errs = validatePodSpec(s, 'spec');
      assert.equal(errs.length, c.want.length, JSON.stringify(errs));
      c.want.forEach(([field, msg], i) => {
        assert.equal(errs[i]!.field, field);
        assert.ok(errs[i]!.message.includes(msg), `${errs[i]!.message} should include ${msg}`);
      });
    });
  }

  it('accepts a defaulted minimal spec', () => {
    assert.deepEqual(validatePodSpec(defaulted(), 'spec'), []);
  });

  it('checks requests against limits', () => {
    const s = defaulted({ containers: [{ name: 'a', image: 'x:1', resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } }] });
    const errs = validatePodSpec(s, 'spec');
    assert.deepEqual(errs.map((e) => [e.field, e.message]), [
      ['spec.containers[0].resources.requests', 'Invalid value: "2": must be less than or equal to cpu limit of 1'],
    ]);
  });
});

describe('validatePodTemplateSpec', () => {
  it('validates template labels and forbids ephemeral containers', () => {
    const t = { metadata: { labels: { 'bad key': 'v' } }, spec: defaulted({ ephemeralContainers: [{ name: 'dbg', image: 'busybox:1' }] }) };
    const errs = validatePodTemplateSpec(t, 'spec.template');
    assert.deepEqual(errs.map((e) => e.field), [
      'spec.template.metadata.labels',
      'spec.template.spec.ephemeralContainers',
    ]);
  });

  it('requires a spec', () => {
    assert.deepEqual(validatePodTemplateSpec({}, 'template').map((e) => e.message), ['Required value']);
  });
});
