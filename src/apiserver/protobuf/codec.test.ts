import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStatusError } from '../../apimachinery/status.js';
import { PROTOBUF_MAGIC } from '../../apimachinery/protobuf-envelope.js';
import { coreFixtures } from '../../api/protobuf/fixtures-core.js';
import { groupFixtures } from '../../api/protobuf/fixtures-groups.js';
import { decodeProtobufBody, encodeProtobufBody } from './codec.js';

/** A small deterministic generator (mulberry32), so a failure reproduces. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Decoding either succeeds or fails with a 400 Status; anything else is a crash. */
function decodeOr400(bytes: Uint8Array): void {
  try {
    decodeProtobufBody(bytes);
  } catch (e) {
    assert.ok(isStatusError(e) && e.code === 400, `not a BadRequest: ${String((e as Error)?.stack ?? e)}`);
  }
}

test('bodies encode and decode with their envelope', () => {
  const pod = { apiVersion: 'v1', kind: 'Pod', ...coreFixtures.Pod };
  assert.deepEqual(decodeProtobufBody(encodeProtobufBody(pod)!), pod);
  assert.equal(encodeProtobufBody({ apiVersion: 'example.com/v1', kind: 'Widget' }), undefined);
  assert.equal(encodeProtobufBody({ kind: 'Table', apiVersion: 'meta.k8s.io/v1' }), undefined);
});

test('thousands of random, truncated and corrupted bodies are answered with 400, never a crash', () => {
  const next = random(7);
  const valid = [
    encodeProtobufBody({ apiVersion: 'v1', kind: 'Pod', ...coreFixtures.Pod })!,
    encodeProtobufBody({ apiVersion: 'apps/v1', kind: 'Deployment', ...groupFixtures.Deployment })!,
    encodeProtobufBody({ apiVersion: 'v1', kind: 'Service', ...coreFixtures.Service })!,
  ];
  for (let i = 0; i < 3000; i++) {
    const base = valid[i % valid.length];
    let bytes: Uint8Array;
    switch (i % 4) {
      case 0: bytes = base.subarray(0, Math.floor(next() * base.length)); break;
      case 1: {
        bytes = Uint8Array.from(base);
        for (let k = 0; k < 1 + next() * 8; k++) bytes[Math.floor(next() * bytes.length)] = Math.floor(next() * 256);
        break;
      }
      case 2: {
        const tail = Uint8Array.from({ length: Math.floor(next() * 64) }, () => Math.floor(next() * 256));
        bytes = new Uint8Array([...PROTOBUF_MAGIC, ...tail]);
        break;
      }
      default: bytes = Uint8Array.from({ length: Math.floor(next() * 128) }, () => Math.floor(next() * 256));
    }
    decodeOr400(bytes);
  }
});
