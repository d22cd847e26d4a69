import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { FakeClock } from '../../apimachinery/clock.js';
import { memoryVolumeSize, podMemoryLimit } from './memory-size.js';
import { fakeTokenSource } from './testing.js';
import { TokenCache } from './tokens.js';

describe('TokenCache', () => {
  const params = { namespace: 'ns', serviceAccount: 'sa', audiences: ['api'], expirationSeconds: 3600, pod: { name: 'p', uid: 'u1' } };

  it('asks for a token bound to the pod and renews it after 80% of its lifetime', async () => {
    const clock = new FakeClock(0);
    const src = fakeTokenSource();
    const cache = new TokenCache(src, () => clock.now());
    assert.equal(await cache.get(params), 'token-1');
    assert.deepEqual(src.requests[0]!.req.spec, {
      audiences: ['api'], expirationSeconds: 3600, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'u1' },
    });
    assert.equal(cache.nextRefresh('u1'), 2880_000);
    clock.advance(2879_000);
    assert.equal(await cache.get(params), 'token-1');
    clock.advance(1000);
    assert.equal(await cache.get(params), 'token-2');
  });

  it('keeps serving a valid token when renewal fails, and fails once it expired', async () => {
    const clock = new FakeClock(0);
    const src = fakeTokenSource();
    const cache = new TokenCache(src, () => clock.now());
    await cache.get(params);
    src.fail = true;
    clock.advance(3000_000);
    assert.equal(await cache.get(params), 'token-1');
    clock.advance(700_000);
    await assert.rejects(cache.get(params), /failed to fetch token: server unavailable/);
  });
});

describe('memoryVolumeSize', () => {
  const pod = (limits: string[]): Pod => ({ spec: { containers: limits.map((l, i) => ({ name: `c${i}`, image: 'i', resources: l ? { limits: { memory: l } } : {} })) } });
  const Mi = 1024 * 1024;
  const cases: { name: string; pod: Pod; sizeLimit?: string; alloc?: number; want: number | undefined }[] = [
    { name: 'node allocatable without limits', pod: pod(['']), alloc: 1024 * Mi, want: 1024 * Mi },
    { name: 'the pod limit when lower', pod: pod(['64Mi', '32Mi']), alloc: 1024 * Mi, want: 96 * Mi },
    { name: 'sizeLimit when lowest', pod: pod(['64Mi']), sizeLimit: '16Mi', alloc: 1024 * Mi, want: 16 * Mi },
    { name: 'the pod limit when below sizeLimit', pod: pod(['64Mi']), sizeLimit: '1Gi', alloc: 1024 * Mi, want: 64 * Mi },
    { name: 'nothing known', pod: pod(['']), want: undefined },
  ];
  for (const c of cases) it(c.name, () => assert.equal(memoryVolumeSize(c.pod, c.sizeLimit, c.alloc), c.want));

  it('counts the largest init container when it exceeds the containers', () => {
    assert.equal(podMemoryLimit({ spec: { containers: [{ name: 'a', image: 'i', resources: { limits: { memory: '10Mi' } } }], initContainers: [{ name: 'b', image: 'i', resources: { limits: { memory: '20Mi' } } }] } }), 20 * Mi);
  });
});
