import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TopologySelectorTerm } from 'kubernetes-types/core/v1.js';
import { makeNode } from '../helper/testing.js';
import { makeClaim, makeVolume, podWithClaims } from './testing.js';
import {
  ANN_BETA_STORAGE_CLASS, ANN_BOUND_BY_CONTROLLER, bindVolumeToClaim, claimClass, findMatchingVolume, podClaimRefs, sortBySize, topologyTermsMatch,
} from './volumes.js';

test('topologyTermsMatch follows allowedTopologies', () => {
  const zone = (...values: string[]): TopologySelectorTerm => ({ matchLabelExpressions: [{ key: 'zone', values }] });
  const cases: { name: string; terms?: TopologySelectorTerm[]; labels: Record<string, string>; want: boolean }[] = [
    { name: 'no terms allow all', labels: {}, want: true },
    { name: 'value listed', terms: [zone('a', 'b')], labels: { zone: 'b' }, want: true },
    { name: 'value not listed', terms: [zone('a')], labels: { zone: 'b' }, want: false },
    { name: 'label missing', terms: [zone('a')], labels: {}, want: false },
    { name: 'terms are ORed', terms: [zone('a'), zone('b')], labels: { zone: 'b' }, want: true },
    { name: 'empty term allows none', terms: [{}], labels: { zone: 'a' }, want: false },
  ];
  for (const c of cases) assert.equal(topologyTermsMatch(c.terms, c.labels), c.want, c.name);
});

test('findMatchingVolume prefers a volume pre-bound to the claim', () => {
  const n1 = makeNode('n1');
  const claim = makeClaim('data', { className: 'local' });
  const cases: { name: string; volumes: ReturnType<typeof makeVolume>[]; want?: string }[] = [
    { name: 'pre-bound beats smaller', volumes: [makeVolume('small', { className: 'local' }), makeVolume('mine', { className: 'other', capacity: '9Gi', claim: 'data', phase: 'Pending' })], want: 'mine' },
    { name: 'pre-bound with the wrong uid is not ours', volumes: [makeVolume('theirs', { className: 'local', claim: 'data', claimUid: 'x' })] },
    { name: 'pre-bound elsewhere means no match', volumes: [makeVolume('mine', { className: 'local', claim: 'data', hosts: ['n2'] }), makeVolume('free', { className: 'local' })] },
  ];
  for (const c of cases) assert.equal(findMatchingVolume(claim, c.volumes, n1, new Set())?.metadata?.name, c.want, c.name);
  assert.equal(findMatchingVolume(claim, [makeVolume('free', { className: 'local' })], n1, new Set(['free'])), undefined, 'excluded');
});

test('bindVolumeToClaim writes the claimRef and the bound-by-controller mark once', () => {
  const claim = makeClaim('data');
  const first = bindVolumeToClaim(makeVolume('pv1'), claim);
  assert.ok(first.dirty);
  assert.deepEqual([first.pv.spec?.claimRef?.name, first.pv.spec?.claimRef?.uid], ['data', 'uid-data']);
  assert.equal(first.pv.metadata?.annotations?.[ANN_BOUND_BY_CONTROLLER], 'yes');
  assert.equal(bindVolumeToClaim(first.pv, claim).dirty, false);
  const prebound = bindVolumeToClaim(makeVolume('pv2', { claim: 'data' }), claim);
  assert.equal(prebound.pv.metadata?.annotations?.[ANN_BOUND_BY_CONTROLLER], undefined, 'a user pre-binding is not marked');
});

test('claim helpers: class annotation, size order, pod references', () => {
  assert.equal(claimClass(makeClaim('a', { className: 'x', annotations: { [ANN_BETA_STORAGE_CLASS]: 'y' } })), 'y');
  assert.deepEqual(sortBySize([makeClaim('b', { request: '2Gi' }), makeClaim('a', { request: '500Mi' })]).map((c) => c.metadata?.name), ['a', 'b']);
  assert.deepEqual(podClaimRefs(podWithClaims('p', ['a', 'a', 'b'], ['tmp'])), [
    { name: 'a', ephemeral: false }, { name: 'b', ephemeral: false }, { name: 'p-tmp', ephemeral: true },
  ]);
});
