import assert from 'node:assert/strict';
import { test } from 'node:test';
import ts from 'typescript';
import { convertModule } from './convert.mjs';

const convert = (text, module = 'example/v1') =>
  convertModule(ts.createSourceFile('x.d.ts', text, ts.ScriptTarget.Latest, true), module);

test('interfaces become object schemas with references across modules', () => {
  const { definitions, kinds } = convert(`
import { ObjectMeta } from "../meta/v1";
/** A widget. */
export interface Widget {
    apiVersion?: "example.com/v1";
    kind?: "Widget";
    /** Standard metadata. */
    metadata?: ObjectMeta;
    size: number;
    parts?: Array<Part>;
    tags?: string[];
    labels?: { [name: string]: string; };
}
export interface Part { name: string; }`);
  const w = definitions['io.k8s.api.example.v1.Widget'];
  assert.equal(w.description, 'A widget.');
  assert.deepEqual(w.required, ['size']);
  assert.deepEqual(w.properties.metadata, {
    allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }],
    description: 'Standard metadata.',
  });
  assert.deepEqual(w.properties.size, { type: 'integer', format: 'int64' });
  assert.deepEqual(w.properties.parts, { type: 'array', items: { $ref: '#/components/schemas/io.k8s.api.example.v1.Part' } });
  assert.deepEqual(w.properties.tags, { type: 'array', items: { type: 'string' } });
  assert.deepEqual(w.properties.labels, { type: 'object', additionalProperties: { type: 'string' } });
  assert.deepEqual(kinds, { 'io.k8s.api.example.v1.Widget': { group: 'example.com', version: 'v1', kind: 'Widget' } });
});

test('unions become enums, int-or-string or open values', () => {
  const { definitions } = convert(`
export interface Knob {
    mode?: "Fast" | "Slow";
    port?: number | string;
    either?: Knob | boolean;
}`);
  const p = definitions['io.k8s.api.example.v1.Knob'].properties;
  assert.deepEqual(p.mode, { type: 'string', enum: ['Fast', 'Slow'] });
  assert.deepEqual(p.port, { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString' });
  assert.deepEqual(p.either, { 'x-kubernetes-preserve-unknown-fields': true });
});

test('core kinds have the empty group and unsupported shapes fail the build', () => {
  assert.deepEqual(convert('export interface Pod { apiVersion?: "v1"; kind?: "Pod"; }', 'core/v1').kinds,
    { 'io.k8s.api.core.v1.Pod': { group: '', version: 'v1', kind: 'Pod' } });
  assert.throws(() => convert('export interface Bad { f?: () => void; }'), /unsupported type FunctionType/);
});
