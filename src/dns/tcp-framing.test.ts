import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TcpMessageSplitter, frameTcpMessage } from './tcp-framing.js';

test('frameTcpMessage puts the length in front in two big-endian bytes', () => {
  assert.deepEqual([...frameTcpMessage(Buffer.from([7, 8, 9]))], [0, 3, 7, 8, 9]);
  assert.deepEqual([...frameTcpMessage(Buffer.alloc(0))], [0, 0]);
});

test('TcpMessageSplitter returns whole messages however the reads split them', () => {
  const a = Buffer.from('first');
  const b = Buffer.alloc(300, 1);
  const stream = Buffer.concat([frameTcpMessage(a), frameTcpMessage(b)]);
  for (const cut of [1, 2, 3, 7, 8, stream.length - 1]) {
    const s = new TcpMessageSplitter();
    const got = [...s.push(stream.subarray(0, cut)), ...s.push(stream.subarray(cut))];
    assert.deepEqual(got.map((m) => m.toString('hex')), [a.toString('hex'), b.toString('hex')], `cut at ${cut}`);
  }
  assert.deepEqual(new TcpMessageSplitter().push(Buffer.from([0])), []);
});
