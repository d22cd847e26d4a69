// Schema `pattern`s are Go RE2 expressions. Most RE2 syntax means the same in JavaScript; this
// translates the parts that differ (\A, \z, \Q…\E, POSIX classes, (?P<name>), leading flags, Go's
// ASCII-only \s) and rejects what RE2 itself rejects (look-arounds, back-references) or what
// JavaScript cannot express (flags in the middle of a pattern).

export type CompiledPattern = { re: RegExp } | { error: string };

const POSIX_CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z', alpha: 'A-Za-z', ascii: '\\x00-\\x7F', blank: '\\t ', cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9', graph: '!-~', lower: 'a-z', print: ' -~', punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ', upper: 'A-Z', word: '0-9A-Za-z_', xdigit: '0-9A-Fa-f',
};
const GO_SPACE = '\\t\\n\\f\\r ';
const UNICODE_CATEGORIES = new Set(['C', 'Cc', 'Cf', 'Co', 'Cs', 'L', 'Ll', 'Lm', 'Lo', 'Lt', 'Lu', 'M', 'Mc', 'Me', 'Mn',
  'N', 'Nd', 'Nl', 'No', 'P', 'Pc', 'Pd', 'Pe', 'Pf', 'Pi', 'Po', 'Ps', 'S', 'Sc', 'Sk', 'Sm', 'So', 'Z', 'Zl', 'Zp', 'Zs']);

const cache = new Map<string, CompiledPattern>();

function escapeLiteral(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

function goError(code: string, arg: string): { error: string } {
  return { error: `error parsing regexp: ${code}: \`${arg}\`` };
}

/** Maps a JavaScript syntax error onto the Go parser's wording for the common cases. */
function jsErrorToGo(pattern: string, message: string): { error: string } {
  if (/Nothing to repeat/.test(message)) {
    const m = /(?:^|[^\\])([*+?]|\{\d+(?:,\d*)?\})/.exec(pattern);
    return goError('missing argument to repetition operator', m ? m[1]! : pattern);
  }
  if (/Unterminated group/.test(message)) return goError('missing closing )', pattern);
  if (/Unmatched '\)'/.test(message)) return goError('unexpected )', pattern);
  if (/Unterminated character class|Missing \/|missing \//i.test(message)) return goError('missing closing ]', pattern.slice(pattern.indexOf('[')));
  if (/numbers out of order/.test(message)) return goError('invalid repeat count', pattern);
  if (/Range out of order/.test(message)) return goError('invalid character class range', pattern);
  return { error: `error parsing regexp: ${message}` };
}

function translateProperty(negated: boolean, name: string): string {
  const prop = UNICODE_CATEGORIES.has(name) ? name : `Script=${name}`;
  return `\\${negated ? 'P' : 'p'}{${prop}}`;
}

/** Translates one RE2 pattern; `error` carries a Go-worded reason when it cannot be used. */
function translate(pattern: string): CompiledPattern {
  let flags = '';
  let i = 0;
  const lead = /^\(\?([imsU]+)\)/.exec(pattern);
  if (lead) {
    if (lead[1]!.includes('U')) return { error: 'error parsing regexp: the non-greedy flag U is not supported' };
    flags = [...new Set(lead[1]!)].join('');
    i = lead[0].length;
  }
  let out = '';
  let inClass = false;
  let unicode = false;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === '\\') {
      const n = pattern[i + 1];
      if (n === undefined) return goError('trailing backslash at end of expression', '');
      if (n === 'Q') {
        const end = pattern.indexOf('\\E', i + 2);
        const lit = pattern.slice(i + 2, end < 0 ? undefined : end);
        out += escapeLiteral(lit);
        i = end < 0 ? pattern.length : end + 2;
        continue;
      }
      if (n === 'A' && !inClass) { out += '^'; i += 2; continue; }
      if (n === 'z' && !inClass) { out += '(?![\\s\\S])'; i += 2; continue; }
      if (n === 's') { out += inClass ? GO_SPACE : `[${GO_SPACE}]`; i += 2; continue; }
      if (n === 'S') { out += inClass ? '\\S' : `[^${GO_SPACE}]`; i += 2; continue; }
      if (/[1-9]/.test(n) || n === 'Z' || n === 'k') return goError('invalid escape sequence', `\\${n}`);
      if (n === 'p' || n === 'P') {
        unicode = true;
        if (pattern[i + 2] === '{') {
          const end = pattern.indexOf('}', i + 3);
          if (end < 0) return goError('invalid character class range', pattern.slice(i));
          const name = pattern.slice(i + 3, end);
          const negated = (n === 'P') !== name.startsWith('^');
          out += translateProperty(negated, name.replace(/^\^/, ''));
          i = end + 1;
        } else {
          out += translateProperty(n === 'P', pattern[i + 2] ?? '');
          i += 3;
        }
        continue;
      }
      if (n === 'x' && pattern[i + 2] === '{') {
        const end = pattern.indexOf('}', i + 3);
        unicode = true;
        out += `\\u{${pattern.slice(i + 3, end)}}`;
        i = end + 1;
        continue;
      }
      out += c + n;
      i += 2;
      continue;
    }
    if (inClass) {
      if (c === '[' && pattern[i + 1] === ':') {
        const end = pattern.indexOf(':]', i + 2);
        const name = end < 0 ? '' : pattern.slice(i + 2, end);
        const negated = name.startsWith('^');
        const cls = POSIX_CLASSES[name.replace(/^\^/, '')];
        if (cls === undefined) return goError('invalid character class range', pattern.slice(i, end + 2));
        if (negated) return { error: 'error parsing regexp: negated POSIX classes are not supported' };
        out += cls;
        i = end + 2;
        continue;
      }
      if (c === ']') inClass = false;
      if (c === '[') { out += '\\['; i++; continue; }
      out += c;
      i++;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      i++;
      if (pattern[i] === '^') { out += '^'; i++; }
      if (pattern[i] === ']') { out += '\\]'; i++; }
      continue;
    }
    if (c === '(' && pattern[i + 1] === '?') {
      const rest = pattern.slice(i + 2);
      if (rest.startsWith(':')) { out += '(?:'; i += 3; continue; }
      const named = /^P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
      if (named) { out += `(?<${named[1]}>`; i += 2 + named[0].length; continue; }
      if (/^[=!]|^<[=!]/.test(rest)) return goError('invalid or unsupported Perl syntax', `(?${rest.slice(0, rest[0] === '<' ? 2 : 1)}`);
      return { error: 'error parsing regexp: flags inside a pattern are not supported' };
    }
    out += c;
    i++;
  }
  try {
    return { re: new RegExp(out, flags + (unicode ? 'u' : '')) };
  } catch (e) {
    return jsErrorToGo(pattern, (e as Error).message);
  }
}

/** The compiled form of a schema pattern, cached by its source text. */
export function compileGoPattern(pattern: string): CompiledPattern {
  let c = cache.get(pattern);
  if (!c) {
    c = translate(pattern);
    if (cache.size > 1000) cache.clear();
    cache.set(pattern, c);
  }
  return c;
}
