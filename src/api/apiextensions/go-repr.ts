// JSON values printed the way Go's field.Error prints the decoded `interface{}` values of a custom
// resource: strings quoted, numbers as `%v`, maps and slices as `%#v`, nil as "null".

/** Go's `%v` of a float64: shortest digits, `e+06` exponents from 1e6 up and below 1e-4. */
export function goFloat(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN';
  if (n === 0) return '0';
  const exp = Math.floor(Math.log10(Math.abs(n)));
  if (exp < -4 || exp >= 6) {
    const [mant, e] = n.toExponential().split('e');
    const sign = e!.startsWith('-') ? '-' : '+';
    const digits = e!.replace(/^[-+]/, '');
    return `${mant}e${sign}${digits.length < 2 ? `0${digits}` : digits}`;
  }
  return String(n);
}

/** A JSON number as Go decodes it: integral values are int64 (printed plainly), others float64. */
export function goNumber(n: number): string {
  return Number.isInteger(n) && Math.abs(n) < 2 ** 63 ? String(n) : goFloat(n);
}

/** `%#v` of a value inside an `interface{}` container. */
function goSyntax(v: unknown): string {
  if (v === null || v === undefined) return 'interface {}(nil)';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[]interface {}{${v.map(goSyntax).join(', ')}}`;
  const obj = v as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  return `map[string]interface {}{${keys.map((k) => `${JSON.stringify(k)}:${goSyntax(obj[k])}`).join(', ')}}`;
}

/** The bad value of a field error as Go renders it in `Invalid value: <here>`. */
export function goValue(v: unknown): string {
  if (v === null || v === undefined) return '"null"';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean') return String(v);
  return goSyntax(v);
}

/** Go's `%v` of a schema bound (a float64), printed as an integer when the checked value is one. */
export function goBound(bound: number, valueIsInteger: boolean): string {
  return valueIsInteger && Number.isInteger(bound) ? String(bound) : goFloat(bound);
}
