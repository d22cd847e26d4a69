import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Node, Pod } from 'kubernetes-types/core/v1.js';
import { newNodeInfo, nonZeroRequests, podRequests, resourceFromList, type MutableNodeInfo } from './nodeinfo.js';

const MI = 1024 * 1024;

function ctr(name: string, requests?: Record<string, string>, extra: Partial<Container> = {}): Container {
  return { name, image: 'img', ...(requests ? { resources: { requests } } : {}), ...extra };
}

function pod(name: string, spec: Partial<Pod['spec']> & object): Pod {
  return { metadata: { name, namespace: 'default', uid: `uid-${name}` }, spec: { containers: [], ...spec } };
}

test('podRequests computes the effective requests as Kubernetes does', () => {
  const cases: { name: string; pod: Pod; cpu: number; memory: number; scalar?: Record<string, number> }[] = [
    { name: 'no containers', pod: pod('a', {}), cpu: 0, memory: 0 },
    { name: 'sum of containers', pod: pod('a', { containers: [ctr('a', { cpu: '100m', memory: '1Mi' }), ctr('b', { cpu: '1', memory: '2Mi' })] }), cpu: 1100, memory: 3 * MI },
    {
      name: 'init container larger than containers',
      pod: pod('a', { containers: [ctr('a', { cpu: '100m' })], initContainers: [ctr('i', { cpu: '2', memory: '1Gi' })] }),
      cpu: 2000, memory: 1024 * MI,
    },
    {
      name: 'sidecar adds to containers and to later init containers',
      pod: pod('a', {
        containers: [ctr('a', { cpu: '100m' })],
        initContainers: [ctr('s', { cpu: '200m' }, { restartPolicy: 'Always' }), ctr('i', { cpu: '500m' })],
      }),
      cpu: 700, memory: 0,
    },
    {
      name: 'init container before a sidecar runs alone',
      pod: pod('a', {
        containers: [ctr('a', { cpu: '100m' })],
        initContainers: [ctr('i', { cpu: '500m' }), ctr('s', { cpu: '200m' }, { restartPolicy: 'Always' })],
      }),
      cpu: 500, memory: 0,
    },
    { name: 'overhead is added', pod: pod('a', { containers: [ctr('a', { cpu: '100m' })], overhead: { cpu: '50m', memory: '10Mi' } }), cpu: 150, memory: 10 * MI },
    { name: 'extended resources', pod: pod('a', { containers: [ctr('a', { 'example.com/gpu': '2' })] }), cpu: 0, memory: 0, scalar: { 'example.com/gpu': 2 } },
  ];
  for (const c of cases) {
    const r = podRequests(c.pod);
    assert.equal(r.milliCPU, c.cpu, c.name);
    assert.equal(r.memory, c.memory, c.name);
    assert.deepEqual(r.scalar, c.scalar ?? {}, c.name);
  }
});

test('nonZeroRequests defaults containers that request no cpu or memory', () => {
  const cases: { name: string; pod: Pod; cpu: number; memory: number }[] = [
    { name: 'empty container', pod: pod('a', { containers: [ctr('a')] }), cpu: 100, memory: 200 * MI },
    { name: 'cpu only', pod: pod('a', { containers: [ctr('a', { cpu: '1' })] }), cpu: 1000, memory: 200 * MI },
    { name: 'explicit zero kept', pod: pod('a', { containers: [ctr('a', { cpu: '0', memory: '0' })] }), cpu: 0, memory: 0 },
    { name: 'two containers', pod: pod('a', { containers: [ctr('a'), ctr('b', { memory: '1Mi' })] }), cpu: 200, memory: 201 * MI },
  ];
  for (const c of cases) {
    const r = nonZeroRequests(c.pod);
    assert.equal(r.milliCPU, c.cpu, c.name);
    assert.equal(r.memory, c.memory, c.name);
  }
});

test('resourceFromList reads allocatable', () => {
  const r = resourceFromList({ cpu: '3500m', memory: '2Gi', 'ephemeral-storage': '10G', pods: '110', 'hugepages-2Mi': '4Mi' });
  assert.deepEqual(r, { milliCPU: 3500, memory: 2048 * MI, ephemeralStorage: 10e9, allowedPodNumber: 110, scalar: { 'hugepages-2Mi': 4 * MI } });
});

const node: Node = {
  metadata: { name: 'n1' },
  status: {
    allocatable: { cpu: '4', memory: '8Gi', pods: '110' },
    images: [{ names: ['nginx:1.25', 'docker.io/library/nginx:1.25'], sizeBytes: 5000 }],
  },
};

test('newNodeInfo aggregates its pods', () => {
  const web = pod('web', { containers: [ctr('a', { cpu: '500m', memory: '64Mi' }, { ports: [{ containerPort: 80, hostPort: 8080 }] })] });
  const aff = pod('aff', {
    containers: [ctr('a')],
    affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname' }] } },
  });
  const soft = pod('soft', { containers: [ctr('a')], affinity: { podAffinity: {} } });
  const ni = newNodeInfo(node, [web, aff, soft]);
  const cases: { name: string; got: unknown; want: unknown }[] = [
    { name: 'name', got: ni.name, want: 'n1' },
    { name: 'pods', got: ni.pods.length, want: 3 },
    { name: 'requested cpu', got: ni.requested.milliCPU, want: 500 },
    { name: 'nonzero cpu', got: ni.nonZeroRequested.milliCPU, want: 700 },
    { name: 'nonzero memory', got: ni.nonZeroRequested.memory, want: 464 * MI },
    { name: 'allocatable', got: [ni.allocatable.milliCPU, ni.allocatable.allowedPodNumber], want: [4000, 110] },
    { name: 'ports', got: ni.usedPorts, want: [{ ip: '0.0.0.0', protocol: 'TCP', port: 8080 }] },
    { name: 'with affinity', got: ni.podsWithAffinity.map((p) => p.metadata?.name), want: ['aff', 'soft'] },
    { name: 'required anti-affinity', got: ni.podsWithRequiredAntiAffinity.map((p) => p.metadata?.name), want: ['aff'] },
    { name: 'images', got: ni.imageSizes.get('docker.io/library/nginx:1.25'), want: 5000 },
  ];
  for (const c of cases) assert.deepEqual(c.got, c.want, c.name);
});

test('removePod undoes addPod, and clones are independent', () => {
  const a = pod('a', { containers: [ctr('a', { cpu: '1', 'example.com/gpu': '1' }, { ports: [{ containerPort: 80, hostPort: 80 }] })] });
  const ni: MutableNodeInfo = newNodeInfo(node, []);
  const g0 = ni.generation;
  ni.addPod(a);
  assert.ok(ni.generation > g0);
  const snap = ni.clone();
  assert.equal(ni.removePod(a), true);
  assert.equal(ni.removePod(a), false);
  assert.deepEqual([ni.pods.length, ni.requested.milliCPU, ni.usedPorts.length, ni.requested.scalar], [0, 0, 0, {}]);
  assert.deepEqual([snap.pods.length, snap.requested.milliCPU, snap.usedPorts.length], [1, 1000, 1]);
});
