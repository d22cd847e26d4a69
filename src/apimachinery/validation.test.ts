import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  isDNS1123Label, isDNS1123Subdomain, isDNS1035Label, isQualifiedName, isValidLabelValue, isValidPathSegmentName,
  validateObjectMeta, validateObjectMetaUpdate, TOTAL_ANNOTATION_SIZE_LIMIT_BYTES,
} from './validation.js';
import { invalid } from './status.js';
import type { ObjectMeta } from './object.js';

const SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_MSG = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const NAME_PART_MSG = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

describe('name checks', () => {
  const cases: [string, (v: string) => string[], string, string[]][] = [
    ['subdomain ok', isDNS1123Subdomain, 'example.com', []],
    ['subdomain upper', isDNS1123Subdomain, 'Example', [SUBDOMAIN_MSG]],
    ['subdomain too long', isDNS1123Subdomain, 'a'.repeat(254), ['must be no more than 253 characters']],
    ['label ok', isDNS1123Label, '123-abc', []],
    ['label with dots', isDNS1123Label, 'a.b', ['must not contain dots']],
    ['label trailing dash', isDNS1123Label, 'ab-', [LABEL_MSG]],
    ['label too long', isDNS1123Label, 'a'.repeat(64), ['must be no more than 63 characters']],
    ['1035 ok', isDNS1035Label, 'my-svc', []],
    ['1035 leading digit', isDNS1035Label, '1svc', [DNS1035_MSG]],
    ['qualified ok', isQualifiedName, 'example.com/My_Name.1', []],
    ['qualified empty', isQualifiedName, '', ['name part must be non-empty', NAME_PART_MSG]],
    ['qualified bad name', isQualifiedName, '-x', [NAME_PART_MSG]],
    ['qualified empty prefix', isQualifiedName, '/x', ['prefix part must be non-empty']],
    ['qualified bad prefix', isQualifiedName, 'Ex/x', [`prefix part ${SUBDOMAIN_MSG}`]],
    ['qualified name too long', isQualifiedName, 'a'.repeat(64), ['name part must be no more than 63 characters']],
    ['label value empty ok', isValidLabelValue, '', []],
    ['label value ok', isValidLabelValue, 'My_value-1.2', []],
    ['label value too long', isValidLabelValue, 'a'.repeat(64), ['must be no more than 63 characters']],
    ['path segment ok', isValidPathSegmentName, 'a:b', []],
    ['path segment dotdot', isValidPathSegmentName, '..', ["may not be '..'"]],
    ['path segment slash and percent', isValidPathSegmentName, 'a/b%', ["may not contain '/'", "may not contain '%'"]],
  ];
  for (const [name, fn, value, want] of cases) {
    test(`${name}: ${JSON.stringify(value.length > 20 ? `${value.slice(0, 10)}…` : value)}`, () => {
      assert.deepEqual(fn(value), want);
    });
  }

  test('a qualified name with two slashes gets the whole-name message', () => {
    const [msg] = isQualifiedName('a/b/c');
    assert.match(msg!, /^a qualified name must consist of .* with an optional DNS subdomain prefix and '\/' \(e\.g\. 'example\.com\/MyName'\)$/);
  });

  test('a label value with a bad character names the label rule', () => {
    assert.match(isValidLabelValue('a b')[0]!, /^a valid label must be an empty string or consist of alphanumeric characters/);
  });
});

describe('validateObjectMeta', () => {
  const namespaced = { namespaced: true, nameValidator: isDNS1123Subdomain };
  const cluster = { namespaced: false, nameValidator: isDNS1123Subdomain };
  const cases: { name: string; meta: ObjectMeta; opts?: typeof namespaced; want: [string, string, string?][] }[] = [
    { name: 'valid namespaced object', meta: { name: 'web', namespace: 'default', labels: { app: 'web' } }, want: [] },
    { name: 'missing name', meta: { namespace: 'default' },
      want: [['FieldValueRequired', 'metadata.name', 'Required value: name or generateName is required']] },
    { name: 'bad name', meta: { name: 'Web', namespace: 'default' },
      want: [['FieldValueInvalid', 'metadata.name', `Invalid value: "Web": ${SUBDOMAIN_MSG}`]] },
    { name: 'generateName prefix with trailing dash is fine but a name is still needed', meta: { generateName: 'web-', namespace: 'd' },
      want: [['FieldValueRequired', 'metadata.name']] },
    { name: 'bad generateName', meta: { generateName: 'Web-', name: 'web-abcde', namespace: 'd' },
      want: [['FieldValueInvalid', 'metadata.generateName']] },
    { name: 'missing namespace', meta: { name: 'a' }, want: [['FieldValueRequired', 'metadata.namespace', 'Required value']] },
    { name: 'bad namespace', meta: { name: 'a', namespace: 'a.b' }, want: [['FieldValueInvalid', 'metadata.namespace', 'Invalid value: "a.b": must not contain dots']] },
    { name: 'namespace on cluster-scoped', meta: { name: 'n1', namespace: 'x' }, opts: cluster,
      want: [['FieldValueForbidden', 'metadata.namespace', 'Forbidden: not allowed on this type']] },
    { name: 'bad label key and value', meta: { name: 'a', namespace: 'd', labels: { '-k': 'v v' } },
      want: [['FieldValueInvalid', 'metadata.labels', `Invalid value: "-k": ${NAME_PART_MSG}`], ['FieldValueInvalid', 'metadata.labels']] },
    { name: 'annotation keys ignore case', meta: { name: 'a', namespace: 'd', annotations: { 'Example.COM/Key': 'x' } }, want: [] },
    { name: 'bad annotation key', meta: { name: 'a', namespace: 'd', annotations: { 'a b': 'x' } }, want: [['FieldValueInvalid', 'metadata.annotations']] },
    { name: 'annotations too large', meta: { name: 'a', namespace: 'd', annotations: { k: 'x'.repeat(TOTAL_ANNOTATION_SIZE_LIMIT_BYTES) } },
      want: [['FieldValueTooLong', 'metadata.annotations', 'Too long: must have at most 262144 bytes']] },
    { name: 'bad finalizer', meta: { name: 'a', namespace: 'd', finalizers: ['a/b/c'] }, want: [['FieldValueInvalid', 'metadata.finalizers']] },
    { name: 'orphan with foreground', meta: { name: 'a', namespace: 'd', finalizers: ['orphan', 'foregroundDeletion'] },
      want: [['FieldValueInvalid', 'metadata.finalizers', 'Invalid value: ["orphan","foregroundDeletion"]: finalizer orphan and foregroundDeletion cannot be both set']] },
    { name: 'incomplete owner reference', meta: { name: 'a', namespace: 'd', ownerReferences: [{ apiVersion: '', kind: '', name: '', uid: '' }] },
      want: [
        ['FieldValueInvalid', 'metadata.ownerReferences.apiVersion', 'Invalid value: "": version must not be empty'],
        ['FieldValueInvalid', 'metadata.ownerReferences.kind', 'Invalid value: "": must not be empty'],
        ['FieldValueInvalid', 'metadata.ownerReferences.name'],
        ['FieldValueInvalid', 'metadata.ownerReferences.uid'],
      ] },
    { name: 'two controllers', meta: { name: 'a', namespace: 'd', ownerReferences: [
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'r1', uid: 'u1', controller: true },
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'r2', uid: 'u2', controller: true }] },
    want: [['FieldValueInvalid', 'metadata.ownerReferences']] },
    { name: 'negative generation', meta: { name: 'a', namespace: 'd', generation: -1 },
      want: [['FieldValueInvalid', 'metadata.generation', 'Invalid value: -1: must be greater than or equal to 0']] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const errs = validateObjectMeta(c.meta, c.opts ?? namespaced);
      assert.deepEqual(errs.map((e) => [e.type, e.field]), c.want.map(([t, f]) => [t, f]));
      c.want.forEach(([, , msg], i) => { if (msg) assert.equal(errs[i]!.message, msg); });
    });
  }

  test('the controller conflict message names both owners', () => {
    const errs = validateObjectMeta({ name: 'a', namespace: 'd', ownerReferences: [
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'r1', uid: 'u1', controller: true },
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'r2', uid: 'u2', controller: true }] }, namespaced);
    assert.match(errs[0]!.message, /Only one reference can have Controller set to true\. Found "true" in references for ReplicaSet\/r1 and ReplicaSet\/r2$/);
  });

  test('errors render into an Invalid StatusError the way kubectl shows them', () => {
    const errs = validateObjectMeta({ namespace: 'default' }, namespaced);
    const e = invalid('', 'Pod', '', errs);
    assert.equal(e.message, 'Pod "" is invalid: metadata.name: Required value: name or generateName is required');
  });
});

describe('validateObjectMetaUpdate', () => {
  const old: ObjectMeta = { name: 'a', namespace: 'd', uid: 'u1', resourceVersion: '5', creationTimestamp: '2024-01-01T00:00:00Z', generation: 2 };
  const cases: { name: string; meta: ObjectMeta; old?: ObjectMeta; want: [string, string?][] }[] = [
    { name: 'unchanged identity', meta: { ...old, labels: { a: 'b' } }, want: [] },
    { name: 'renamed', meta: { ...old, name: 'b' }, want: [['metadata.name', 'Invalid value: "b": field is immutable']] },
    { name: 'moved namespace', meta: { ...old, namespace: 'e' }, want: [['metadata.namespace']] },
    { name: 'new uid', meta: { ...old, uid: 'u2' }, want: [['metadata.uid']] },
    { name: 'new creationTimestamp', meta: { ...old, creationTimestamp: '2025-01-01T00:00:00Z' }, want: [['metadata.creationTimestamp']] },
    { name: 'missing resourceVersion', meta: { ...old, resourceVersion: undefined },
      want: [['metadata.resourceVersion', 'Invalid value: "": must be specified for an update']] },
    { name: 'generation decremented', meta: { ...old, generation: 1 }, want: [['metadata.generation', 'Invalid value: 1: must not be decremented']] },
    { name: 'finalizer added while deleting', meta: { ...old, deletionTimestamp: '2024-02-01T00:00:00Z', finalizers: ['x', 'b/y'] },
      old: { ...old, deletionTimestamp: '2024-02-01T00:00:00Z', finalizers: ['x'] },
      want: [['metadata.finalizers', 'Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"b/y"}']] },
    { name: 'labels still validated', meta: { ...old, labels: { k: '-' } }, want: [['metadata.labels']] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const errs = validateObjectMetaUpdate(c.meta, c.old ?? old);
      assert.deepEqual(errs.map((e) => e.field), c.want.map(([f]) => f));
      c.want.forEach(([, msg], i) => { if (msg) assert.equal(errs[i]!.message, msg); });
    });
  }
});
