import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatGo, goIntOrString, goLabelSelector, goStringMap, goStrings, goStruct, GoText } from './go-values.js';

describe('formatGo', () => {
  it('quotes strings and prints numbers, booleans and bigints bare', () => {
    assert.equal(formatGo('a"b'), '"a\\"b"');
    assert.equal(formatGo(-1), '-1');
    assert.equal(formatGo(false), 'false');
    assert.equal(formatGo(10n), '10');
  });

  it('prints missing values as null', () => {
    assert.equal(formatGo(undefined), 'null');
    assert.equal(formatGo(null), 'null');
  });

  it('prints string slices and string maps in Go syntax, map keys sorted', () => {
    assert.equal(formatGo(['a', 'b']), '[]string{"a", "b"}');
    assert.equal(formatGo({ b: '2', a: '1' }), 'map[string]string{"a":"1", "b":"2"}');
  });

  it('falls back to JSON for anything else and passes GoText through', () => {
    assert.equal(formatGo([1, 2]), '[1,2]');
    assert.equal(formatGo({ a: 1 }), '{"a":1}');
    assert.equal(formatGo(new GoText('v1.Thing{}')), 'v1.Thing{}');
  });
});

describe('Go renderings', () => {
  it('goStrings and goStringMap print nil for a missing value', () => {
    assert.equal(goStrings(undefined).text, '[]string(nil)');
    assert.equal(goStringMap(undefined).text, 'map[string]string(nil)');
  });

  it('goStruct prints fields in the order given', () => {
    assert.equal(goStruct('rbac.RoleRef', [['Kind', 'Role'], ['Name', 'r']]).text, 'rbac.RoleRef{Kind:"Role", Name:"r"}');
  });

  it('goLabelSelector prints match labels and expressions as %#v does', () => {
    assert.equal(goLabelSelector({ matchLabels: { app: 'x' } }).text,
      'v1.LabelSelector{MatchLabels:map[string]string{"app":"x"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}');
    assert.equal(goLabelSelector({ matchExpressions: [{ key: 'k', operator: 'Exists' }] }).text,
      'v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{'
      + 'v1.LabelSelectorRequirement{Key:"k", Operator:"Exists", Values:[]string(nil)}}}');
    assert.equal(goLabelSelector(undefined).text, 'null');
  });

  it('goIntOrString prints the int or the string variant', () => {
    assert.equal(goIntOrString(3).text, 'intstr.IntOrString{Type:0, IntVal:3, StrVal:""}');
    assert.equal(goIntOrString('25%').text, 'intstr.IntOrString{Type:1, IntVal:0, StrVal:"25%"}');
  });
});
