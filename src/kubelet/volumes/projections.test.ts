import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Payload } from './atomic-writer.js';
import { formatMap, goQuote, resourceFieldValue } from './downward.js';
import { configMapPayload, downwardAPIPayload, secretPayload } from './projections.js';

const flat = (p: Payload) => Object.fromEntries([...p].map(([k, v]) => [k, [v.data.toString('utf8'), v.mode.toString(8)]]));
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('configMap and secret projections', () => {
  const cm = { data: { a: 'A', b: 'B' }, binaryData: { bin: b64('\x00\x01') } };
  const cases: { name: string; run: () => Payload; want?: Record<string, [string, string]>; error?: string }[] = [
    { name: 'configMap: every key with the default mode', run: () => configMapPayload(cm, {}), want: { a: ['A', '644'], b: ['B', '644'], bin: ['\x00\x01', '644'] } },
    { name: 'configMap: defaultMode applies to every key', run: () => configMapPayload({ data: { a: 'A' } }, {}, 0o400), want: { a: ['A', '400'] } },
    {
      name: 'configMap: items choose keys, paths and modes',
      run: () => configMapPayload(cm, { items: [{ key: 'a', path: 'dir/x.conf', mode: 0o600 }, { key: 'b', path: 'y' }] }, 0o444),
      want: { 'dir/x.conf': ['A', '600'], y: ['B', '444'] },
    },
    { name: 'configMap: a missing key fails unless optional', run: () => configMapPayload(cm, { items: [{ key: 'nope', path: 'n' }] }), error: 'configmap references non-existent config key: nope' },
    { name: 'configMap: an optional missing key is skipped', run: () => configMapPayload(cm, { optional: true, items: [{ key: 'nope', path: 'n' }, { key: 'a', path: 'a' }] }), want: { a: ['A', '644'] } },
    { name: 'configMap: an optional missing object gives an empty volume', run: () => configMapPayload(undefined, { optional: true }), want: {} },
    { name: 'secret: data is base64-decoded', run: () => secretPayload({ data: { pw: b64('s3cret') } }, {}), want: { pw: ['s3cret', '644'] } },
    { name: 'secret: items and modes', run: () => secretPayload({ data: { pw: b64('x'), u: b64('y') } }, { items: [{ key: 'u', path: 'user', mode: 0o400 }] }), want: { user: ['y', '400'] } },
    { name: 'secret: a missing key fails', run: () => secretPayload({ data: {} }, { items: [{ key: 'k', path: 'k' }] }), error: 'references non-existent secret key: k' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      if (c.error) assert.throws(c.run, { message: c.error });
      else assert.deepEqual(flat(c.run()), c.want);
    });
  }
});

describe('downward API', () => {
  const pod: Pod = {
    metadata: { name: 'web', namespace: 'prod', uid: 'u-1', labels: { tier: 'front', app: 'web' }, annotations: { 'a.io/b': 'say "hi"\n' } },
    spec: {
      nodeName: 'n1',
      containers: [
        { name: 'c', image: 'i', resources: { limits: { cpu: '250m', memory: '64Mi' }, requests: { cpu: '100m', memory: '32Mi' } } },
        { name: 'free', image: 'i' },
      ],
    },
  };

  it('formats labels and annotations as sorted key="value" lines quoted as Go quotes', () => {
    assert.equal(formatMap(pod.metadata!.labels), 'app="web"\ntier="front"');
    assert.equal(formatMap(pod.metadata!.annotations), 'a.io/b="say \\"hi\\"\\n"');
    assert.equal(goQuote('tab\there é \x00 \u200b'), '"tab\\there é \\x00 \\u200b"');
  });

  it('writes pod fields and container resources with their modes', () => {
    const p = downwardAPIPayload(pod, [
      { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
      { path: 'ns', fieldRef: { fieldPath: 'metadata.namespace' } },
      { path: 'uid', fieldRef: { fieldPath: 'metadata.uid' }, mode: 0o400 },
      { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
      { path: 'cpu', resourceFieldRef: { containerName: 'c', resource: 'limits.cpu', divisor: '1m' } },
      { path: 'mem', resourceFieldRef: { containerName: 'c', resource: 'requests.memory', divisor: '1Mi' } },
    ], 0o444);
    assert.deepEqual(flat(p), {
      name: ['web', '444'], ns: ['prod', '444'], uid: ['u-1', '400'], labels: ['app="web"\ntier="front"', '444'],
      cpu: ['250', '444'], mem: ['32', '444'],
    });
  });

  const resources: { resource: string; container?: string; divisor?: string; want: string }[] = [
    { resource: 'limits.cpu', container: 'c', want: '1' }, // 250m rounded up to whole cores
    { resource: 'limits.cpu', container: 'c', divisor: '1m', want: '250' },
    { resource: 'requests.cpu', container: 'c', divisor: '1m', want: '100' },
    { resource: 'limits.memory', container: 'c', want: String(64 * 1024 * 1024) },
    { resource: 'limits.memory', container: 'c', divisor: '1Mi', want: '64' },
    { resource: 'limits.memory', container: 'c', divisor: '1G', want: '1' },
    { resource: 'limits.cpu', container: 'free', want: '4' }, // unset limits are the node's allocatable
    { resource: 'limits.memory', container: 'free', divisor: '1Gi', want: '8' },
    { resource: 'requests.memory', container: 'free', want: '0' },
  ];
  for (const r of resources) {
    it(`${r.container}: ${r.resource} / ${r.divisor ?? '1'} = ${r.want}`, () => {
      assert.equal(resourceFieldValue(pod, { containerName: r.container, resource: r.resource, divisor: r.divisor }, { cpu: '4', memory: '8Gi' }), r.want);
    });
  }
});
