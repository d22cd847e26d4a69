import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { FakeClock } from '../../apimachinery/clock.js';
import { ImageError, ImagePuller } from './images.js';
import { FakeCri } from './testing.js';

const pod: Pod = { metadata: { name: 'p', namespace: 'ns', uid: 'u1' }, spec: { containers: [] } };
const c: Container = { name: 'app', image: 'example.com/app:1', imagePullPolicy: 'Always' };
const noEvents = { event: () => undefined };

async function reason(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    assert.ok(e instanceof ImageError);
    return e.reason;
  }
}

describe('ImagePuller', () => {
  it('backs off after a failed pull, 10 s then doubling', async () => {
    const clock = new FakeClock(1_000_000);
    const cri = new FakeCri(clock);
    const puller = new ImagePuller(cri.imageService(), clock, noEvents);
    assert.equal(await reason(puller.ensure(pod, c)), 'ErrImagePull');
    assert.equal(await reason(puller.ensure(pod, c)), 'ImagePullBackOff');
    clock.advance(10_001);
    assert.equal(await reason(puller.ensure(pod, c)), 'ErrImagePull');
    clock.advance(10_001);
    assert.equal(await reason(puller.ensure(pod, c)), 'ImagePullBackOff', 'the second back-off is 20 s');
  });

  it('forgetPod drops the failures and their back-off, so a new pull starts from 10 s', async () => {
    const clock = new FakeClock(1_000_000);
    const cri = new FakeCri(clock);
    const puller = new ImagePuller(cri.imageService(), clock, noEvents);
    const other: Pod = { metadata: { name: 'q', namespace: 'ns', uid: 'u2' }, spec: { containers: [] } };
    assert.equal(await reason(puller.ensure(pod, c)), 'ErrImagePull');
    clock.advance(10_001);
    assert.equal(await reason(puller.ensure(pod, c)), 'ErrImagePull');
    assert.equal(await reason(puller.ensure(other, c)), 'ErrImagePull');
    puller.forgetPod('u1');
    assert.equal(puller.failedPulls, 1, 'the other pod keeps its failure');
    assert.equal(await reason(puller.ensure(pod, c)), 'ErrImagePull', 'no back-off right after forgetting');
    clock.advance(10_001);
    assert.equal(await reason(puller.ensure(pod, c)), 'ErrImagePull', 'the back-off started again at 10 s');
  });

  it('gc drops failures whose back-off has been idle for twice the maximum', async () => {
    const clock = new FakeClock(1_000_000);
    const cri = new FakeCri(clock);
    const puller = new ImagePuller(cri.imageService(), clock, noEvents);
    assert.equal(await reason(puller.ensure(pod, c)), 'ErrImagePull');
    puller.gc();
    assert.equal(puller.failedPulls, 1);
    clock.advance(600_001);
    puller.gc();
    assert.equal(puller.failedPulls, 0);
  });
});
