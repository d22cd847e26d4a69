// The JSONPath subset printer columns use (client-go's jsonpath inside `{…}`): field steps with
// `\.` escapes, `['quoted']` keys, indexes (negative from the end), slices, `[*]`, `..` descent and
// `[?(@.a.b == "x")]` filters. Evaluation returns every match in document order.

type Step =
  | { kind: 'field'; name: string }
  | { kind: 'recursive'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'slice'; start?: number; end?: number }
  | { kind: 'wildcard' }
  | { kind: 'filter'; path: Step[]; op?: string; value?: unknown };

export class JSONPathError extends Error {}

function parseFieldName(src: string, i: number): [string, number] {
  let name = '';
  while (i < src.length && !'.['.includes(src[i]!)) {
    if (src[i] === '\\' && i + 1 < src.length) { name += src[i + 1]; i += 2; continue; }
    name += src[i];
    i++;
  }
  return [name, i];
}

function parseLiteral(text: string): unknown {
  const t = text.trim();
  if (/^(['"]).*\1$/.test(t)) return t.slice(1, -1);
  if (t === 'true' || t === 'false') return t === 'true';
  if (t !== '' && !Number.isNaN(Number(t))) return Number(t);
  throw new JSONPathError(`unrecognized filter value ${t}`);
}

function parseBracket(body: string): Step {
  const b = body.trim();
  if (b === '*') return { kind: 'wildcard' };
  if (/^(['"]).*\1$/.test(b)) return { kind: 'field', name: b.slice(1, -1) };
  if (b.startsWith('?(') && b.endsWith(')')) {
    const expr = b.slice(2, -1).trim();
    const m = /^@((?:\.[^\s=!<>]+)*)\s*(==|!=|<=|>=|<|>)?\s*(.*)$/.exec(expr);
    if (!m) throw new JSONPathError(`unrecognized filter ${expr}`);
    return { kind: 'filter', path: parsePath(m[1] ?? ''), op: m[2], value: m[2] ? parseLiteral(m[3] ?? '') : undefined };
  }
  if (b.includes(':')) {
    const [s, e] = b.split(':');
    return { kind: 'slice', start: s?.trim() ? Number(s) : undefined, end: e?.trim() ? Number(e) : undefined };
  }
  if (/^-?\d+$/.test(b)) return { kind: 'index', index: Number(b) };
  throw new JSONPathError(`invalid array index ${b}`);
}

/** Parses a path such as `.spec.containers[0].name` (the braces are optional). */
export function parsePath(path: string): Step[] {
  let src = path.trim();
  if (src.startsWith('{') && src.endsWith('}')) src = src.slice(1, -1);
  const steps: Step[] = [];
  let i = 0;
  if (src.startsWith('$')) i = 1;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '.' && src[i + 1] === '.') {
      const [name, next] = parseFieldName(src, i + 2);
      steps.push({ kind: 'recursive', name });
      i = next;
    } else if (c === '.') {
      const [name, next] = parseFieldName(src, i + 1);
      if (name) steps.push(name === '*' ? { kind: 'wildcard' } : { kind: 'field', name });
      i = next;
    } else if (c === '[') {
      let depth = 0;
      let j = i;
      for (; j < src.length; j++) {
        if (src[j] === '[') depth++;
        else if (src[j] === ']' && --depth === 0) break;
      }
      if (j >= src.length) throw new JSONPathError('unterminated array');
      steps.push(parseBracket(src.slice(i + 1, j)));
      i = j + 1;
    } else {
      const [name, next] = parseFieldName(src, i);
      steps.push({ kind: 'field', name });
      i = next;
    }
  }
  return steps;
}

function compare(a: unknown, op: string, b: unknown): boolean {
  switch (op) {
    case '==': return a === b;
    case '!=': return a !== b;
    default: {
      if (typeof a !== typeof b || (typeof a !== 'number' && typeof a !== 'string')) return false;
      const x = a as number | string;
      const y = b as number | string;
      return op === '<' ? x < y : op === '>' ? x > y : op === '<=' ? x <= y : x >= y;
    }
  }
}

function descend(v: unknown, name: string, out: unknown[]): void {
  if (Array.isArray(v)) { for (const x of v) descend(x, name, out); return; }
  if (v === null || typeof v !== 'object') return;
  const o = v as Record<string, unknown>;
  if (Object.hasOwn(o, name)) out.push(o[name]);
  for (const x of Object.values(o)) descend(x, name, out);
}

function applyStep(values: unknown[], step: Step): unknown[] {
  const out: unknown[] = [];
  for (const v of values) {
    switch (step.kind) {
      case 'field':
        if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.hasOwn(v, step.name)) out.push((v as Record<string, unknown>)[step.name]);
        break;
      case 'recursive': descend(v, step.name, out); break;
      case 'wildcard':
        if (Array.isArray(v)) out.push(...v);
        else if (v !== null && typeof v === 'object') out.push(...Object.values(v));
        break;
      case 'index':
        if (Array.isArray(v)) {
          const i = step.index < 0 ? v.length + step.index : step.index;
          if (i >= 0 && i < v.length) out.push(v[i]);
        }
        break;
      case 'slice':
        if (Array.isArray(v)) out.push(...v.slice(step.start, step.end));
        break;
      case 'filter':
        if (Array.isArray(v)) {
          for (const item of v) {
            const found = evaluate(item, step.path);
            if (step.op ? found.some((f) => compare(f, step.op!, step.value)) : found.length > 0) out.push(item);
          }
        }
        break;
    }
  }
  return out;
}

export function evaluate(root: unknown, steps: Step[]): unknown[] {
  return steps.reduce<unknown[]>((values, step) => applyStep(values, step), [root]);
}
