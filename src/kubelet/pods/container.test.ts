import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { containerConfig, MountError, type ContainerOptions } from './container.js';
import { linuxResources, milliCPUToQuota, milliCPUToShares, oomScoreAdj } from './resources.js';
import { containerSecurityContext, DEFAULT_MASKED_PATHS, NonRootError } from './security.js';
import { containerHash } from './labels.js';

const GI = 1024 ** 3;
const pod = (containers: Container[], spec: Partial<NonNullable<Pod['spec']>> = {}): Pod =>
  ({ metadata: { name: 'p', namespace: 'ns', uid: 'u1' }, spec: { containers, terminationGracePeriodSeconds: 30, ...spec } });

describe('cgroup v1 resources', () => {
  const cases: [string, Container['resources'], { cpuShares: number; cpuQuota: number; memoryLimitInBytes: number }][] = [
    ['none', undefined, { cpuShares: 2, cpuQuota: 0, memoryLimitInBytes: 0 }],
    ['a request', { requests: { cpu: '250m' } }, { cpuShares: 256, cpuQuota: 0, memoryLimitInBytes: 0 }],
    ['a tiny request', { requests: { cpu: '1m' } }, { cpuShares: 2, cpuQuota: 0, memoryLimitInBytes: 0 }],
    ['limits', { requests: { cpu: '1' }, limits: { cpu: '1500m', memory: '256Mi' } }, { cpuShares: 1024, cpuQuota: 150_000, memoryLimitInBytes: 256 * 1024 * 1024 }],
    ['a limit without request', { limits: { cpu: '500m' } }, { cpuShares: 512, cpuQuota: 50_000, memoryLimitInBytes: 0 }],
    ['a tiny limit', { limits: { cpu: '5m' } }, { cpuShares: 5, cpuQuota: 1000, memoryLimitInBytes: 0 }],
  ];
  for (const [name, r, want] of cases) {
    it(name, () => {
      const got = linuxResources(r);
      assert.deepEqual({ cpuShares: got.cpuShares, cpuQuota: got.cpuQuota, memoryLimitInBytes: got.memoryLimitInBytes }, want);
      assert.equal(got.cpuPeriod, 100_000);
    });
  }
  it('converts shares and quota at the edges', () => {
    assert.deepEqual([milliCPUToShares(0), milliCPUToShares(1000_000), milliCPUToQuota(0), milliCPUToQuota(2000)], [2, 262_144, 0, 200_000]);
  });
});

describe('oomScoreAdj', () => {
  const guaranteed: Container = { name: 'g', resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } };
  const burst = (mem: string): Container => ({ name: 'b', resources: { requests: { memory: mem } } });
  const cases: [string, Container, number][] = [
    ['Guaranteed', guaranteed, -997],
    ['BestEffort', { name: 'e' }, 1000],
    ['Burstable with a quarter of memory', burst('1Gi'), 750],
    ['Burstable with all memory floors at 2', burst('4Gi'), 2],
    ['Burstable with a tiny request stays below BestEffort', burst('1'), 999],
  ];
  for (const [name, c, want] of cases) it(name, () => assert.equal(oomScoreAdj(pod([c]), c, 4 * GI), want));
});

describe('containerSecurityContext', () => {
  it('takes the container over the pod, and defaults masked paths', () => {
    const c: Container = { name: 'c', securityContext: { runAsUser: 1001, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] } } };
    const sc = containerSecurityContext(pod([c], { securityContext: { runAsUser: 5, runAsGroup: 6 } }), c);
    assert.deepEqual([sc.runAsUser, sc.runAsGroup, sc.readonlyRootfs, sc.noNewPrivs], [{ value: 1001 }, { value: 6 }, true, true]);
    assert.deepEqual(sc.capabilities, { addCapabilities: ['NET_ADMIN'], dropCapabilities: ['ALL'], addAmbientCapabilities: [] });
    assert.deepEqual(sc.maskedPaths, DEFAULT_MASKED_PATHS);
    assert.equal(sc.namespaceOptions!.pid, 'CONTAINER');
  });
  it('privileged containers get no masked paths nor no_new_privs', () => {
    const c: Container = { name: 'c', securityContext: { privileged: true } };
    const sc = containerSecurityContext(pod([c]), c);
    assert.deepEqual([sc.privileged, sc.maskedPaths, sc.readonlyPaths, sc.noNewPrivs], [true, [], [], false]);
  });
  const nonRoot: [string, Container, { uid?: number; username?: string } | undefined, RegExp | null][] = [
    ['runAsUser 0', { name: 'c', securityContext: { runAsNonRoot: true, runAsUser: 0 } }, undefined, /runAsUser breaks non-root policy \(pod: "p_ns\(u1\)", container: c\)/],
    ['image runs as root', { name: 'c', securityContext: { runAsNonRoot: true } }, { uid: 0 }, /image will run as root/],
    ['image with a user name', { name: 'c', securityContext: { runAsNonRoot: true } }, { username: 'www' }, /non-numeric user \(www\)/],
    ['image with a uid', { name: 'c', securityContext: { runAsNonRoot: true } }, { uid: 33 }, null],
    ['runAsUser 1000', { name: 'c', securityContext: { runAsNonRoot: true, runAsUser: 1000 } }, { uid: 0 }, null],
  ];
  for (const [name, c, image, err] of nonRoot) {
    it(`runAsNonRoot: ${name}`, () => {
      if (err) assert.throws(() => containerSecurityContext(pod([c]), c, image), (e: unknown) => e instanceof NonRootError && err.test(e.message));
      else containerSecurityContext(pod([c]), c, image);
    });
  }
});

describe('containerConfig', () => {
  const c: Container = {
    name: 'app', image: 'kite.local/busybox:1.35', command: ['sh', '-c'], args: ['echo $(GREETING) $$(HOME) $(NOPE)'], workingDir: '/w',
    stdin: true, tty: true, ports: [{ containerPort: 80 }], terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File',
    volumeMounts: [
      { name: 'data', mountPath: '/data' },
      { name: 'cfg', mountPath: '/etc/app.conf', subPath: 'app.conf' },
      { name: 'shared', mountPath: '/shared', mountPropagation: 'HostToContainer' },
      { name: 'logs', mountPath: '/logs', subPathExpr: '$(POD)' },
    ],
    resources: { requests: { memory: '64Mi' }, limits: { memory: '64Mi' } },
  };
  const opts: ContainerOptions = {
    restartCount: 3,
    env: [{ name: 'GREETING', value: 'hi' }, { name: 'POD', value: 'p' }],
    volumes: new Map([
      ['data', { hostPath: '/v/data' }],
      ['cfg', { hostPath: '/v/cfg', readOnly: true }],
      ['shared', { hostPath: '/v/shared' }],
      ['logs', { hostPath: '/v/logs' }],
    ]),
    imageRef: 'sha256:abc',
    etcHostsPath: '/k/pods/u1/etc-hosts',
    terminationLogPath: '/k/pods/u1/containers/app/x1',
    machineMemoryBytes: 4 * GI,
  };
  const cfg = containerConfig(pod([c]), c, opts);
  it('names the attempt, image, command and args', () => {
    assert.deepEqual(cfg.metadata, { name: 'app', attempt: 3 });
    assert.deepEqual([cfg.image!.image, cfg.image!.userSpecifiedImage], ['sha256:abc', 'kite.local/busybox:1.35']);
    assert.deepEqual([cfg.command, cfg.args], [['sh', '-c'], ['echo hi $(HOME) $(NOPE)']]);
    assert.deepEqual([cfg.workingDir, cfg.stdin, cfg.stdinOnce, cfg.tty, cfg.logPath], ['/w', true, false, true, 'app/3.log']);
    assert.deepEqual(cfg.envs, [{ key: 'GREETING', value: 'hi' }, { key: 'POD', value: 'p' }]);
  });
  it('mounts volumes, subpaths, /etc/hosts and the termination log', () => {
    assert.deepEqual(cfg.mounts.map((m) => [m.containerPath, m.hostPath, m.readonly, m.propagation]), [
      ['/data', '/v/data', false, 'PROPAGATION_PRIVATE'],
      ['/etc/app.conf', '/v/cfg/app.conf', true, 'PROPAGATION_PRIVATE'],
      ['/shared', '/v/shared', false, 'PROPAGATION_HOST_TO_CONTAINER'],
      ['/logs', '/v/logs/p', false, 'PROPAGATION_PRIVATE'],
      ['/etc/hosts', '/k/pods/u1/etc-hosts', false, 'PROPAGATION_PRIVATE'],
      ['/dev/termination-log', '/k/pods/u1/containers/app/x1', false, 'PROPAGATION_PRIVATE'],
    ]);
  });
  it('labels and annotates as the kubelet does', () => {
    assert.deepEqual(cfg.labels, { 'io.kubernetes.pod.name': 'p', 'io.kubernetes.pod.namespace': 'ns', 'io.kubernetes.pod.uid': 'u1', 'io.kubernetes.container.name': 'app' });
    assert.equal(cfg.annotations['io.kubernetes.container.hash'], containerHash(c));
    assert.equal(cfg.annotations['io.kubernetes.container.restartCount'], '3');
    assert.equal(cfg.annotations['io.kubernetes.container.terminationMessagePolicy'], 'File');
    assert.equal(cfg.annotations['io.kubernetes.pod.terminationGracePeriod'], '30');
    assert.equal(cfg.annotations['io.kubernetes.container.ports'], '[{"containerPort":80}]');
  });
  it('sets the memory limit and a burstable OOM score', () => {
    assert.equal(cfg.linux!.resources!.memoryLimitInBytes, 64 * 1024 * 1024);
    assert.equal(cfg.linux!.resources!.oomScoreAdj, 985);
  });
  it('hashes specs stably, whatever the key order, and ignores resources', () => {
    assert.equal(containerHash({ name: 'a', image: 'i' }), containerHash({ image: 'i', name: 'a' }));
    assert.equal(containerHash({ name: 'a', image: 'i' }), containerHash({ name: 'a', image: 'i', resources: { limits: { cpu: '1' } } }));
    assert.notEqual(containerHash({ name: 'a', image: 'i' }), containerHash({ name: 'a', image: 'j' }));
  });
  const bad: [string, Container, RegExp][] = [
    ['an unknown volume', { name: 'x', volumeMounts: [{ name: 'nope', mountPath: '/n' }] }, /cannot find volume "nope"/],
    ['a subPath escaping the volume', { name: 'x', volumeMounts: [{ name: 'data', mountPath: '/n', subPath: '../etc' }] }, /must be a relative path/],
  ];
  for (const [name, bc, re] of bad) {
    it(`rejects ${name}`, () => assert.throws(() => containerConfig(pod([bc]), bc, opts), (e: unknown) => e instanceof MountError && re.test(e.message)));
  }
});
