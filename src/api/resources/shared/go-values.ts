// Offending values rendered the way Go's field.Error prints them (`%#v` for structs, maps and
// slices), so messages read exactly as a real API server's do.
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';

/** A value already rendered the way Go prints it; `formatGo` passes it through untouched. */
export class GoText {
  constructor(readonly text: string) {}
}

const q = (s: string): string => JSON.stringify(s);

/** `[]string{"a", "b"}` or `[]string(nil)`. */
export function goStrings(list: readonly string[] | undefined): GoText {
  return new GoText(list === undefined ? '[]string(nil)' : `[]string{${list.map(q).join(', ')}}`);
}

/** `map[string]string{"a":"1", "b":"2"}` (keys sorted, as Go prints maps) or `map[string]string(nil)`. */
export function goStringMap(m: Record<string, string> | undefined | null): GoText {
  if (!m) return new GoText('map[string]string(nil)');
  const keys = Object.keys(m).sort();
  return new GoText(`map[string]string{${keys.map((k) => `${q(k)}:${q(m[k] ?? '')}`).join(', ')}}`);
}

/** A struct as `%#v` prints it: `pkg.Type{Field:value, …}`, fields in declaration order. */
export function goStruct(type: string, fields: [string, unknown][]): GoText {
  return new GoText(`${type}{${fields.map(([k, v]) => `${k}:${formatGo(v)}`).join(', ')}}`);
}

/** `v1.LabelSelector{MatchLabels:…, MatchExpressions:…}`, as immutable-selector errors print it. */
export function goLabelSelector(ls: LabelSelector | undefined | null): GoText {
  if (!ls) return new GoText('null');
  const exprs = ls.matchExpressions;
  const exprText = exprs === undefined
    ? '[]v1.LabelSelectorRequirement(nil)'
    : `[]v1.LabelSelectorRequirement{${exprs.map((e) => goStruct('v1.LabelSelectorRequirement', [
      ['Key', e.key ?? ''], ['Operator', e.operator ?? ''], ['Values', goStrings(e.values)],
    ]).text).join(', ')}}`;
  return goStruct('v1.LabelSelector', [['MatchLabels', goStringMap(ls.matchLabels)], ['MatchExpressions', new GoText(exprText)]]);
}

/** `intstr.IntOrString{Type:0, IntVal:1, StrVal:""}`: the type has no value-receiver String(). */
export function goIntOrString(v: number | string | undefined): GoText {
  if (typeof v === 'string') return goStruct('intstr.IntOrString', [['Type', 1], ['IntVal', 0], ['StrVal', v]]);
  return goStruct('intstr.IntOrString', [['Type', 0], ['IntVal', v ?? 0], ['StrVal', '']]);
}

/**
 * Renders a value as Go's field.Error does: strings quoted, numbers and booleans bare, string
 * slices and string maps in Go syntax, anything else as JSON.
 */
export function formatGo(v: unknown): string {
  if (v instanceof GoText) return v.text;
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'string') return q(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return goStrings(v as string[]).text;
  if (typeof v === 'object' && Object.values(v).every((x) => typeof x === 'string')) {
    return goStringMap(v as Record<string, string>).text;
  }
  return JSON.stringify(v);
}
