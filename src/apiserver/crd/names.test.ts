import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResourceType } from '../../api/types.js';
import type { CRD } from './custom-resource-type.js';
import { decideNames, setCondition } from './names.js';
import { compareVersionPriority } from './version-priority.js';

const crd = (name: string, names: Record<string, unknown>, accepted?: Record<string, unknown>): CRD => ({
  metadata: { name },
  spec: { group: 'example.com', names },
  status: accepted ? { acceptedNames: accepted } : undefined,
});

const widgets = { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList', shortNames: ['wd'] };

describe('CRD names', () => {
  test('accept names nobody else in the group uses', () => {
    const d = decideNames(crd('widgets.example.com', widgets), [], []);
    assert.deepEqual(d.acceptedNames, widgets);
    assert.deepEqual(d.namesAccepted, { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' });
  });

  test('refuse a plural another CRD of the group has accepted, keeping the rest', () => {
    const other = crd('widgets.example.com', widgets, widgets);
    const d = decideNames(crd('widgets2.example.com', { ...widgets, kind: 'Widget2', listKind: 'Widget2List', singular: 'widget2', shortNames: [] }), [other], []);
    assert.equal(d.namesAccepted.status, 'False');
    assert.equal(d.namesAccepted.reason, 'PluralConflict');
    assert.equal(d.namesAccepted.message, '"widgets" is already in use');
    assert.equal(d.acceptedNames.plural, undefined);
    assert.equal(d.acceptedNames.kind, 'Widget2');
  });

  test('ignore CRDs of other groups and keep names already accepted', () => {
    const elsewhere = { ...crd('widgets.other.com', widgets, widgets), spec: { group: 'other.com', names: widgets } };
    assert.equal(decideNames(crd('widgets.example.com', widgets), [elsewhere], []).namesAccepted.status, 'True');
    const mine = crd('widgets.example.com', widgets, widgets);
    assert.equal(decideNames(mine, [mine], []).namesAccepted.status, 'True');
  });

  test('refuse short names of built-in resources of the group', () => {
    const deployments = { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', singular: 'deployment', shortNames: ['deploy'] } as ResourceType;
    const c = { ...crd('things.apps', { plural: 'things', singular: 'thing', kind: 'Thing', listKind: 'ThingList', shortNames: ['deploy', 'th'] }), spec: { group: 'apps', names: { plural: 'things', singular: 'thing', kind: 'Thing', listKind: 'ThingList', shortNames: ['deploy', 'th'] } } };
    const d = decideNames(c, [], [deployments]);
    assert.equal(d.namesAccepted.reason, 'ShortNamesConflict');
    assert.equal(d.namesAccepted.message, '"deploy" is already in use');
  });

  test('keep lastTransitionTime while a condition keeps its status', () => {
    const conds = [{ type: 'Established', status: 'True', reason: 'A', message: 'a', lastTransitionTime: 't0' }];
    assert.equal(setCondition(conds, { type: 'Established', status: 'True', reason: 'A', message: 'a' }, 't1'), false);
    assert.equal(setCondition(conds, { type: 'Established', status: 'True', reason: 'B', message: 'b' }, 't1'), true);
    assert.equal(conds[0].lastTransitionTime, 't0');
    setCondition(conds, { type: 'Established', status: 'False', reason: 'C', message: 'c' }, 't2');
    assert.equal(conds[0].lastTransitionTime, 't2');
  });
});

describe('version priority', () => {
  test('orders GA, beta, alpha, then other names alphabetically', () => {
    const sorted = ['v1alpha1', 'foo', 'v2beta1', 'v1', 'v11alpha2', 'v1beta1', 'v2', 'bar', 'v10beta3', 'v12alpha1'].sort(compareVersionPriority);
    assert.deepEqual(sorted, ['v2', 'v1', 'v10beta3', 'v2beta1', 'v1beta1', 'v12alpha1', 'v11alpha2', 'v1alpha1', 'bar', 'foo']);
  });
});
