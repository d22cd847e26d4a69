import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { applyStrategicMergePatch, type JsonMap } from './strategic.js';
import { unknownPatchSchema, type PatchFieldMeta, type PatchSchema } from './schema.js';
import { StatusError } from '../status.js';

/** A schema from a field table; fields not listed behave like unknownPatchSchema's. */
function schema(fields: Record<string, PatchFieldMeta>): PatchSchema {
  return { field: (name) => fields[name] ?? unknownPatchSchema.field(name) };
}
const nested = (s: PatchSchema): PatchFieldMeta => ({ strategies: [], schema: s });

const container = schema({
  env: { strategies: ['merge'], mergeKey: 'name', schema: unknownPatchSchema },
  ports: { strategies: ['merge'], mergeKey: 'containerPort', schema: unknownPatchSchema },
  args: { strategies: [] },
});
const podSpec = schema({
  containers: { strategies: ['merge'], mergeKey: 'name', schema: container },
  volumes: { strategies: ['merge', 'retainKeys'], mergeKey: 'name', schema: unknownPatchSchema },
  tolerations: { strategies: [], schema: unknownPatchSchema },
  strategy: { strategies: ['retainKeys'], schema: unknownPatchSchema },
  affinity: { strategies: ['replace'], schema: unknownPatchSchema },
});
const meta = schema({
  finalizers: { strategies: ['merge'] },
  ownerReferences: { strategies: ['merge'], mergeKey: 'uid', schema: unknownPatchSchema },
});
const pod = schema({
  metadata: nested(meta),
  spec: nested(podSpec),
  mergingList: { strategies: ['merge'], mergeKey: 'name', schema: unknownPatchSchema },
});

const c = (name: string, extra: JsonMap = {}) => ({ name, ...extra });
const spec = (s: JsonMap) => ({ spec: s });
const md = (m: JsonMap) => ({ metadata: m });

describe('applyStrategicMergePatch', () => {
  const cases: { name: string; original: JsonMap; patch: JsonMap; want: JsonMap }[] = [
    { name: 'nested maps merge', original: md({ labels: { a: '1', b: '2' } }), patch: md({ labels: { b: '3', c: '4' } }),
      want: md({ labels: { a: '1', b: '3', c: '4' } }) },
    { name: 'null deletes a key', original: md({ labels: { a: '1', b: '2' } }), patch: md({ labels: { a: null } }), want: md({ labels: { b: '2' } }) },
    { name: 'null for an absent key is dropped', original: md({}), patch: md({ labels: null, name: 'x' }), want: md({ name: 'x' }) },
    { name: 'scalars replace', original: spec({ replicas: 1 }), patch: spec({ replicas: 3 }), want: spec({ replicas: 3 }) },
    { name: 'a change of shape replaces', original: spec({ x: { a: 1 } }), patch: spec({ x: 'flat' }), want: spec({ x: 'flat' }) },
    { name: 'containers merge by name', original: spec({ containers: [c('a', { image: 'x' }), c('b', { image: 'y' })] }),
      patch: spec({ containers: [c('b', { image: 'z' })] }), want: spec({ containers: [c('a', { image: 'x' }), c('b', { image: 'z' })] }) },
    { name: 'updated items keep their live position', original: spec({ containers: [c('a'), c('b'), c('c')] }),
      patch: spec({ containers: [c('b', { image: 'n' })] }), want: spec({ containers: [c('a'), c('b', { image: 'n' }), c('c')] }) },
    { name: 'a new container without ordering goes first, as in Kubernetes', original: spec({ containers: [c('a')] }),
      patch: spec({ containers: [c('b', { image: 'y' })] }), want: spec({ containers: [c('b', { image: 'y' }), c('a')] }) },
    { name: 'env merges by name inside a container',
      original: spec({ containers: [c('a', { env: [{ name: 'X', value: '1' }, { name: 'Y', value: '2' }] })] }),
      patch: spec({ containers: [c('a', { env: [{ name: 'Y', value: '3' }] })] }),
      want: spec({ containers: [c('a', { env: [{ name: 'X', value: '1' }, { name: 'Y', value: '3' }] })] }) },
    { name: 'ports merge by containerPort',
      original: spec({ containers: [c('a', { ports: [{ containerPort: 80, name: 'http' }, { containerPort: 443 }] })] }),
      patch: spec({ containers: [c('a', { ports: [{ containerPort: 80, protocol: 'TCP' }] })] }),
      want: spec({ containers: [c('a', { ports: [{ containerPort: 80, name: 'http', protocol: 'TCP' }, { containerPort: 443 }] })] }) },
    { name: '$patch: delete removes a container', original: spec({ containers: [c('a'), c('b'), c('c')] }),
      patch: spec({ containers: [{ name: 'b', $patch: 'delete' }] }), want: spec({ containers: [c('a'), c('c')] }) },
    { name: '$patch: delete removes every match', original: spec({ containers: [c('a'), c('a', { x: 1 }), c('b')] }),
      patch: spec({ containers: [{ name: 'a', $patch: 'delete' }] }), want: spec({ containers: [c('b')] }) },
    { name: '$patch: replace in a list replaces the list', original: spec({ containers: [c('a'), c('b')] }),
      patch: spec({ containers: [c('z'), { $patch: 'replace' }] }), want: spec({ containers: [c('z')] }) },
    { name: '$setElementOrder reorders', original: spec({ containers: [c('a'), c('b'), c('c')] }),
      patch: spec({ '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }, { name: 'b' }] }),
      want: spec({ containers: [c('c'), c('a'), c('b')] }) },
    { name: '$setElementOrder places additions', original: spec({ containers: [c('a'), c('b')] }),
      patch: spec({ '$setElementOrder/containers': [{ name: 'a' }, { name: 'n' }, { name: 'b' }], containers: [c('n', { image: 'i' })] }),
      want: spec({ containers: [c('a'), c('n', { image: 'i' }), c('b')] }) },
    { name: 'Kubernetes: merge lists of maps with $setElementOrder',
      original: { mergingList: [{ name: '1', other: 'a' }, { name: '2', value: '2', other: 'b' }] },
      patch: { '$setElementOrder/mergingList': [{ name: '4' }, { name: '1' }, { name: '2' }, { name: '3' }],
        mergingList: [{ name: '4', value: '4' }, { name: '3', value: '3' }] },
      want: { mergingList: [{ name: '4', value: '4' }, { name: '1', other: 'a' }, { name: '2', value: '2', other: 'b' }, { name: '3', value: '3' }] } },
    { name: 'finalizers union, new ones first', original: md({ finalizers: ['x', 'y'] }), patch: md({ finalizers: ['z', 'x'] }),
      want: md({ finalizers: ['z', 'x', 'y'] }) },
    { name: 'finalizers union keeps order given by $setElementOrder', original: md({ finalizers: ['x', 'y'] }),
      patch: md({ '$setElementOrder/finalizers': ['x', 'y', 'z'], finalizers: ['z'] }), want: md({ finalizers: ['x', 'y', 'z'] }) },
    { name: 'duplicate primitives collapse', original: md({ finalizers: ['x', 'x'] }), patch: md({ finalizers: ['x'] }), want: md({ finalizers: ['x'] }) },
    { name: '$deleteFromPrimitiveList removes finalizers', original: md({ finalizers: ['x', 'y', 'x'] }),
      patch: md({ '$deleteFromPrimitiveList/finalizers': ['x'] }), want: md({ finalizers: ['y'] }) },
    { name: '$deleteFromPrimitiveList on an absent list changes nothing', original: md({ name: 'a' }),
      patch: md({ '$deleteFromPrimitiveList/finalizers': ['x'] }), want: md({ name: 'a' }) },
    { name: 'Kubernetes: delete items in lists of scalars', original: md({ finalizers: ['1', '2', '3', '4'] }),
      patch: md({ '$setElementOrder/finalizers': ['1', '2'], '$deleteFromPrimitiveList/finalizers': ['3'] }),
      want: md({ finalizers: ['1', '2', '4'] }) },
    { name: 'Kubernetes: add and delete items in lists of scalars', original: md({ finalizers: ['1', '2', '3'] }),
      patch: md({ '$setElementOrder/finalizers': ['1', '2', '4'], '$deleteFromPrimitiveList/finalizers': ['3'], finalizers: ['4'] }),
      want: md({ finalizers: ['1', '2', '4'] }) },
    { name: 'owner references merge by uid', original: md({ ownerReferences: [{ uid: 'u1', name: 'a' }] }),
      patch: md({ ownerReferences: [{ uid: 'u1', controller: true }] }), want: md({ ownerReferences: [{ uid: 'u1', name: 'a', controller: true }] }) },
    { name: 'atomic lists are replaced', original: spec({ containers: [c('a', { args: ['x', 'y'] })], tolerations: [{ key: 'k' }] }),
      patch: spec({ containers: [c('a', { args: ['z'] })], tolerations: [{ key: 'j' }] }),
      want: spec({ containers: [c('a', { args: ['z'] })], tolerations: [{ key: 'j' }] }) },
    { name: 'lists under unknown fields are atomic', original: { data: { list: [1, 2] } }, patch: { data: { list: [3] } }, want: { data: { list: [3] } } },
    { name: '$retainKeys drops unlisted keys', original: spec({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } }),
      patch: spec({ strategy: { $retainKeys: ['type'], type: 'Recreate' } }), want: spec({ strategy: { type: 'Recreate' } }) },
    { name: '$retainKeys inside a merged list element', original: spec({ volumes: [{ name: 'v', emptyDir: {} }, { name: 'w', emptyDir: {} }] }),
      patch: spec({ volumes: [{ name: 'v', $retainKeys: ['configMap', 'name'], configMap: { name: 'c' } }] }),
      want: spec({ volumes: [{ name: 'v', configMap: { name: 'c' } }, { name: 'w', emptyDir: {} }] }) },
    { name: '$patch: replace on a map', original: spec({ nodeSelector: { a: '1' } }),
      patch: spec({ nodeSelector: { $patch: 'replace', b: '2' } }), want: spec({ nodeSelector: { b: '2' } }) },
    { name: '$patch: delete on a map empties it', original: spec({ nodeSelector: { a: '1' } }),
      patch: spec({ nodeSelector: { $patch: 'delete' } }), want: spec({ nodeSelector: {} }) },
    { name: 'replace strategy on a map field', original: spec({ affinity: { nodeAffinity: { a: 1 } } }),
      patch: spec({ affinity: { podAffinity: { b: 2 } } }), want: spec({ affinity: { podAffinity: { b: 2 } } }) },
    { name: 'directives in new values never reach the result', original: md({}),
      patch: md({ annotations: { $patch: 'replace', x: '1' }, finalizers: ['f'], ownerReferences: [{ uid: 'u', $retainKeys: ['uid'] }] }),
      want: md({ annotations: { x: '1' }, finalizers: ['f'], ownerReferences: [{ uid: 'u' }] }) },
    { name: 'a new merge list drops delete directives', original: spec({}),
      patch: spec({ containers: [c('a'), { name: 'b', $patch: 'delete' }] }), want: spec({ containers: [c('a')] }) },
    { name: 'a whole-object $patch: delete', original: { a: 1 }, patch: { $patch: 'delete' }, want: {} },
  ];
  for (const t of cases) {
    test(t.name, () => {
      const original = structuredClone(t.original);
      const patch = structuredClone(t.patch);
      assert.deepEqual(applyStrategicMergePatch(original, patch, pod), t.want);
      assert.deepEqual(original, t.original, 'original untouched');
      assert.deepEqual(patch, t.patch, 'patch untouched');
    });
  }

  const bad: { name: string; original?: JsonMap; patch: unknown; message: string | RegExp }[] = [
    { name: 'patch is not an object', patch: [1], message: 'json: cannot unmarshal array into Go value of type map[string]interface {}' },
    { name: 'unknown $patch on a map', patch: md({ labels: { $patch: 'foo', a: '1' } }), original: md({ labels: {} }),
      message: 'unknown patch type: foo in map: map[$patch:foo a:1]' },
    { name: '$patch: merge in a list', original: spec({ containers: [c('a')] }), patch: spec({ containers: [{ name: 'a', $patch: 'merge' }] }),
      message: 'merging lists cannot yet be specified in the patch' },
    { name: 'unknown $patch in a list', original: spec({ containers: [c('a')] }), patch: spec({ containers: [{ name: 'a', $patch: 'x' }] }),
      message: 'unknown patch type: x in map: map[$patch:x name:a]' },
    { name: 'missing merge key', original: spec({ containers: [c('a')] }), patch: spec({ containers: [{ image: 'x' }] }),
      message: 'map: map[image:x] does not contain declared merge key: name' },
    { name: 'delete without merge key', original: spec({ containers: [c('a')] }), patch: spec({ containers: [{ $patch: 'delete' }] }),
      message: 'map: map[$patch:delete] does not contain declared merge key: name' },
    { name: '$retainKeys not a list', original: spec({ strategy: {} }), patch: spec({ strategy: { $retainKeys: 'type' } }),
      message: 'invalid patch format of retainKeys' },
    { name: 'patch sets a key outside $retainKeys', original: spec({ strategy: {} }), patch: spec({ strategy: { $retainKeys: ['type'], other: 1 } }),
      message: 'invalid patch format of retainKeys' },
    { name: '$setElementOrder not a list', original: spec({ containers: [] }), patch: spec({ '$setElementOrder/containers': 'x' }),
      message: 'invalid patch format of setElementOrder list' },
    { name: '$setElementOrder disagrees with the patch list', original: spec({ containers: [c('a'), c('b')] }),
      patch: spec({ '$setElementOrder/containers': [{ name: 'a' }], containers: [c('b')] }), message: /^The order in patch list:/ },
    { name: '$deleteFromPrimitiveList not a list', original: md({ finalizers: ['a'] }), patch: md({ '$deleteFromPrimitiveList/finalizers': 'a' }),
      message: 'invalid patch format of primitive list' },
    { name: 'mixed element types', original: md({ finalizers: ['a'] }), patch: md({ finalizers: [1] }), message: /^list element types are not identical/ },
    { name: 'lists of lists', original: md({ finalizers: [['a']] }), patch: md({ finalizers: [['b']] }), message: 'lists of lists are not supported' },
  ];
  for (const t of bad) {
    test(`rejects: ${t.name}`, () => {
      assert.throws(() => applyStrategicMergePatch(t.original ?? {}, t.patch, pod), (e: unknown) => {
        assert.ok(e instanceof StatusError);
        assert.equal(e.code, 400);
        if (typeof t.message === 'string') assert.equal(e.message, t.message);
        else assert.match(e.message, t.message);
        return true;
      });
    });
  }

  test('without a schema maps merge and lists are replaced', () => {
    assert.deepEqual(applyStrategicMergePatch({ a: { b: 1, l: [1] } }, { a: { c: 2, l: [2] } }),
      { a: { b: 1, c: 2, l: [2] } });
  });
});
