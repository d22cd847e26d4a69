import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasProtobufMagic, unwrapEnvelope, wrapEnvelope } from './protobuf-envelope.js';

test('the envelope carries type meta and raw bytes behind the k8s\\0 magic', () => {
  const bytes = wrapEnvelope({ apiVersion: 'v1', kind: 'ConfigMap' }, Uint8Array.of(1, 2, 3));
  assert.deepEqual([...bytes.subarray(0, 4)], [0x6b, 0x38, 0x73, 0x00]);
  assert.ok(hasProtobufMagic(bytes));
  const env = unwrapEnvelope(bytes);
  assert.deepEqual({ ...env, raw: [...env.raw] }, { apiVersion: 'v1', kind: 'ConfigMap', raw: [1, 2, 3], contentEncoding: '', contentType: '' });
});

test('malformed envelopes are BadRequest errors', () => {
  assert.throws(() => unwrapEnvelope(Uint8Array.of(1, 2, 3, 4)), { code: 400 });
  assert.throws(() => unwrapEnvelope(Uint8Array.of(0x6b, 0x38, 0x73, 0x00, 0x0a, 0x7f)), { code: 400, reason: 'BadRequest' });
  assert.throws(() => unwrapEnvelope(Uint8Array.of(0x6b, 0x38, 0x73, 0x00, 0x12, 0x05, 0x01)), /malformed/);
});
