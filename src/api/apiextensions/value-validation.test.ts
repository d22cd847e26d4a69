import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldError } from '../../apimachinery/status.js';
import { validateObject } from './value-validation.js';
import type { JSONSchemaProps } from './schema-types.js';

/** An error as Go's field.Error.Error() prints it. */
function text(e: FieldError): string {
  return `${e.field}: ${e.message || 'Required value'}`;
}

function errorsOf(schema: JSONSchemaProps, obj: Record<string, unknown>): string[] {
  return validateObject(schema, obj).map(text).sort();
}

const field = (s: JSONSchemaProps): JSONSchemaProps => ({ type: 'object', properties: { field: s } });

// Expected texts are the ones asserted in Kubernetes' apiextensions-apiserver
// pkg/apiserver/validation/validation_test.go (TestValidateCustomResource).
const cases: { name: string; schema: JSONSchemaProps; obj: Record<string, unknown>; want: string[] }[] = [
  { name: 'string where an object is expected', schema: field({ type: 'object' }), obj: { field: 'foo' },
    want: ['field: Invalid value: "string": field in body must be of type object: "string"'] },
  { name: 'integer where an object is expected', schema: field({ type: 'object' }), obj: { field: 42 },
    want: ['field: Invalid value: "integer": field in body must be of type object: "integer"'] },
  { name: 'fraction where an object is expected', schema: field({ type: 'object' }), obj: { field: 1.2 },
    want: ['field: Invalid value: "number": field in body must be of type object: "number"'] },
  { name: 'null where not nullable', schema: field({ type: 'object' }), obj: { field: null },
    want: ['field: Invalid value: "null": field in body must be of type object: "null"'] },
  { name: 'null where nullable', schema: field({ type: 'object', nullable: true }), obj: { field: null }, want: [] },
  { name: 'int-or-string rejects booleans', schema: field({ 'x-kubernetes-int-or-string': true }), obj: { field: true },
    want: ['field: Invalid value: "boolean": field in body must be of type integer,string: "boolean"'] },
  { name: 'int-or-string accepts both', schema: field({ 'x-kubernetes-int-or-string': true }), obj: { field: '50%' }, want: [] },
  { name: 'anyOf keeps the first alternative\'s errors',
    schema: field({ nullable: true, 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] }),
    obj: { field: true },
    want: [
      '<nil>: Invalid value: "": "field" must validate at least one schema (anyOf)',
      'field: Invalid value: "boolean": field in body must be of type integer,string: "boolean"',
      'field: Invalid value: "boolean": field in body must be of type integer: "boolean"',
    ] },
  { name: 'allOf with none validated',
    schema: field({ nullable: true, 'x-kubernetes-int-or-string': true, allOf: [{ anyOf: [{ type: 'integer' }, { type: 'string' }] }] }),
    obj: { field: 1.2 },
    want: [
      '<nil>: Invalid value: "": "field" must validate all the schemas (allOf). None validated',
      '<nil>: Invalid value: "": "field" must validate at least one schema (anyOf)',
      'field: Invalid value: "number": field in body must be of type integer,string: "number"',
      'field: Invalid value: "number": field in body must be of type integer: "number"',
    ] },
  { name: 'invalid regular expression',
    schema: field({ type: 'string', pattern: '+' }), obj: { field: 'foo' },
    want: ["field: Invalid value: \"foo\": field in body should match '+, but pattern is invalid: error parsing regexp: missing argument to repetition operator: `+`'"] },
  { name: 'required fields, nested',
    schema: { required: ['field'], properties: { field: { type: 'object', required: ['nested'], properties: { nested: {} } } } },
    obj: { field: {} }, want: ['field.nested: Required value'] },
  { name: 'required field missing',
    schema: { required: ['field'], properties: { field: { type: 'object' } } }, obj: { test: 'a' }, want: ['field: Required value'] },
  { name: 'enum and type errors together',
    schema: field({ type: 'object', required: ['nestedint', 'nestedstring'], properties: {
      nestedint: { type: 'integer', enum: [1, 2] }, nestedstring: { type: 'string', enum: ['a', 'b'] } } }),
    obj: { field: { nestedint: 'x', nestedstring: true } },
    want: [
      'field.nestedint: Invalid value: "string": field.nestedint in body must be of type integer: "string"',
      'field.nestedint: Unsupported value: "x": supported values: "1", "2"',
      'field.nestedstring: Invalid value: "boolean": field.nestedstring in body must be of type string: "boolean"',
      'field.nestedstring: Unsupported value: true: supported values: "a", "b"',
    ] },
  { name: 'maxProperties', schema: { type: 'object', properties: { fieldX: { type: 'object', maxProperties: 2 } } },
    obj: { fieldX: { a: true, b: true, c: true } }, want: ['fieldX: Too many: 3: must have at most 2 items'] },
  { name: 'maxItems', schema: { type: 'object', properties: { fieldX: { type: 'array', maxItems: 2 } } },
    obj: { fieldX: ['a', 'b', 'c'] }, want: ['fieldX: Too many: 3: must have at most 2 items'] },
  { name: 'maxLength', schema: { type: 'object', properties: { fieldX: { type: 'string', maxLength: 2 } } },
    obj: { fieldX: 'abc' }, want: ['fieldX: Too long: may not be more than 2 bytes'] },
  { name: 'maxLength counts characters, not bytes', schema: field({ type: 'string', maxLength: 2 }), obj: { field: 'ßü' }, want: [] },
  { name: 'pattern', schema: field({ type: 'string', pattern: '^a' }), obj: { field: 'b' },
    want: ["field: Invalid value: \"b\": field in body should match '^a'"] },
  { name: 'maximum', schema: { properties: { spec: { type: 'object', properties: { replicas: { type: 'integer', maximum: 10 } } } } },
    obj: { spec: { replicas: 11 } }, want: ['spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10'] },
  { name: 'exclusive minimum', schema: field({ type: 'number', minimum: 1.5, exclusiveMinimum: true }), obj: { field: 1.5 },
    want: ['field: Invalid value: 1.5: field in body should be greater than 1.5'] },
  { name: 'multipleOf', schema: field({ type: 'integer', multipleOf: 3 }), obj: { field: 7 },
    want: ['field: Invalid value: 7: field in body should be a multiple of 3'] },
  { name: 'minLength', schema: field({ type: 'string', minLength: 3 }), obj: { field: 'ab' },
    want: ['field: Invalid value: "ab": field in body should be at least 3 chars long'] },
  { name: 'uniqueItems', schema: field({ type: 'array', uniqueItems: true, items: { type: 'string' } }), obj: { field: ['a', 'a'] },
    want: ['field: Invalid value: "": field in body shouldn\'t contain duplicates'] },
  { name: 'array item paths', schema: field({ type: 'array', items: { type: 'integer' } }), obj: { field: [1, 'x'] },
    want: ['field[1]: Invalid value: "string": field[1] in body must be of type integer: "string"'] },
  { name: 'date-time format', schema: field({ type: 'string', format: 'date-time' }), obj: { field: 'yesterday' },
    want: ['field: Invalid value: "yesterday": field in body must be of type date-time: "yesterday"'] },
  { name: 'valid formats pass', schema: { properties: {
    a: { type: 'string', format: 'date-time' }, b: { type: 'string', format: 'uuid' }, c: { type: 'string', format: 'byte' },
    d: { type: 'string', format: 'date' }, e: { type: 'string', format: 'ipv4' }, f: { type: 'integer', format: 'int32' } } },
  obj: { a: '2024-02-29T10:00:00Z', b: '123e4567-e89b-12d3-a456-426614174000', c: 'aGVsbG8=', d: '2024-01-31', e: '10.0.0.1', f: 5 }, want: [] },
  { name: 'unknown formats are not checked', schema: field({ type: 'string', format: 'color' }), obj: { field: 'anything' }, want: [] },
  { name: 'list-type set duplicates', schema: field({ type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } }),
    obj: { field: ['a', 'b', 'a', 'a'] }, want: ['field[2]: Duplicate value: "a"'] },
  { name: 'list-type map duplicates', schema: field({ type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'],
    items: { type: 'object', properties: { name: { type: 'string' } } } }),
  obj: { field: [{ name: 'a' }, { name: 'a' }] }, want: ['field[1]: Duplicate value: map[string]interface {}{"name":"a"}'] },
  { name: 'embedded resource needs apiVersion and kind', schema: field({ type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true }),
    obj: { field: { metadata: { name: 'x' } } }, want: ['field.apiVersion: Required value', 'field.kind: Required value'] },
];

for (const c of cases) {
  test(`validateObject: ${c.name}`, () => {
    assert.deepEqual(errorsOf(c.schema, c.obj), [...c.want].sort());
  });
}

test('validateObject renders large float bounds as Go does', () => {
  const errs = errorsOf(field({ type: 'number', maximum: 1000000 }), { field: 1234567.5 });
  assert.deepEqual(errs, ['field: Invalid value: 1.2345675e+06: field in body should be less than or equal to 1e+06']);
});
