// The label selector string syntax, lexed and parsed the way Kubernetes does it:
//   <selector>    ::= <requirement> | <requirement> "," <selector>
//   <requirement> ::= [!] KEY [ ("in" | "notin") "(" VALUES ")" | ("=" | "==" | "!=" | ">" | "<") VALUE ]
// Keywords `in`/`notin` are identifiers wherever a value is expected, so `x in (in)` is valid.

import { badRequest, type StatusError } from './status.js';
import { RequirementsSelector, binaryOperators, invalidText, newRequirement } from './labels-requirement.js';
import type { LabelSelector, Requirement, SelectorOperator } from './labels-requirement.js';
import { isQualifiedName } from './validation.js';

type Token = 'error' | 'eos' | ')' | ',' | '!' | '==' | '=' | '>' | 'id' | 'in' | '<' | '!=' | 'notin' | '(';

interface Item { tok: Token; lit: string }

const literalTokens: Record<string, Token> = {
  ')': ')', ',': ',', '!': '!', '==': '==', '=': '=', '>': '>', in: 'in', '<': '<', '!=': '!=', notin: 'notin', '(': '(',
};

const isWhitespace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecial = (c: string) => '=!(),><'.includes(c);

function lex(s: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s[pos]!)) pos++;
    if (pos >= s.length) {
      items.push({ tok: 'eos', lit: '' });
      return items;
    }
    if (isSpecial(s[pos]!)) {
      // Longest run of special characters that still forms a known operator.
      let buf = '';
      let last: Item | undefined;
      while (pos < s.length && isSpecial(s[pos]!)) {
        const next = buf + s[pos];
        const tok = literalTokens[next];
        if (tok) {
          last = { tok, lit: next };
        } else if (last) {
          break;
        }
        buf = next;
        pos++;
      }
      items.push(last ?? { tok: 'error', lit: `error expected: keyword found '${buf}'` });
      continue;
    }
    let buf = '';
    while (pos < s.length && !isSpecial(s[pos]!) && !isWhitespace(s[pos]!)) buf += s[pos++];
    const kw = literalTokens[buf];
    items.push({ tok: kw ?? 'id', lit: buf });
  }
}

class SyntaxError_ extends Error {}

class Parser {
  private pos = 0;
  constructor(private readonly items: Item[]) {}

  private at(i: number, values: boolean): Item {
    const it = this.items[Math.min(i, this.items.length - 1)]!;
    // Where a value may appear, the keywords are plain identifiers.
    if (values && (it.tok === 'in' || it.tok === 'notin')) return { tok: 'id', lit: it.lit };
    return it;
  }
  private lookahead(values = true): Item {
    return this.at(this.pos, values);
  }
  private consume(values = true): Item {
    return this.at(this.pos++, values);
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead();
      if (tok === 'id' || tok === '!') {
        try {
          reqs.push(this.requirement());
        } catch (e) {
          if (e instanceof SyntaxError_) throw new SyntaxError_(`unable to parse requirement: ${e.message}`);
          throw e;
        }
        const t = this.consume();
        if (t.tok === 'eos') return reqs;
        if (t.tok === ',') {
          const t2 = this.lookahead();
          if (t2.tok !== 'id' && t2.tok !== '!') throw new SyntaxError_(`found '${t2.lit}', expected: identifier after ','`);
        } else {
          throw new SyntaxError_(`found '${t.lit}', expected: ',' or 'end of string'`);
        }
      } else if (tok === 'eos') {
        return reqs;
      } else {
        throw new SyntaxError_(`found '${lit}', expected: !, identifier, or 'end of string'`);
      }
    }
  }

  private requirement(): Requirement {
    const [key, inferred] = this.keyAndInferredOperator();
    if (inferred === 'exists' || inferred === '!') return built(newRequirement(key, inferred, []));
    const op = this.operator();
    const values = op === 'in' || op === 'notin' ? this.valueSet() : this.exactValue();
    return built(newRequirement(key, op, [...values].sort()));
  }

  private keyAndInferredOperator(): [string, SelectorOperator | undefined] {
    let op: SelectorOperator | undefined;
    let t = this.consume();
    if (t.tok === '!') {
      op = '!';
      t = this.consume();
    }
    if (t.tok !== 'id') throw new SyntaxError_(`found '${t.lit}', expected: identifier`);
    const errs = isQualifiedName(t.lit);
    if (errs.length) throw new SyntaxError_(invalidText('<nil>', t.lit, errs.join('; ')));
    const next = this.lookahead().tok;
    if ((next === 'eos' || next === ',') && op !== '!') op = 'exists';
    return [t.lit, op];
  }

  private operator(): SelectorOperator {
    const { tok, lit } = this.consume(false);
    const ops: Partial<Record<Token, SelectorOperator>> = {
      in: 'in', '=': '=', '==': '==', '>': 'gt', '<': 'lt', notin: 'notin', '!=': '!=',
    };
    const op = ops[tok];
    if (!op) throw new SyntaxError_(`found '${lit}', expected: ${binaryOperators.join(', ')}`);
    return op;
  }

  private valueSet(): Set<string> {
    const open = this.consume();
    if (open.tok !== '(') throw new SyntaxError_(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.lookahead();
    if (tok === 'id' || tok === ',') {
      const s = this.identifiers();
      if (this.consume().tok !== ')') throw new SyntaxError_(`found '${lit}', expected: ')'`);
      return s;
    }
    if (tok === ')') {
      this.consume();
      return new Set(['']);
    }
    throw new SyntaxError_(`found '${lit}', expected: ',', ')' or identifier`);
  }

  // Empty entries are allowed and mean the empty value: `(a,,b)`, `(,a)`, `(a,)`.
  private identifiers(): Set<string> {
    const s = new Set<string>();
    for (;;) {
      const { tok, lit } = this.consume();
      if (tok === 'id') {
        s.add(lit);
        const next = this.lookahead();
        if (next.tok === ',') continue;
        if (next.tok === ')') return s;
        throw new SyntaxError_(`found '${next.lit}', expected: ',' or ')'`);
      } else if (tok === ',') {
        if (s.size === 0) s.add('');
        const next = this.lookahead().tok;
        if (next === ')') {
          s.add('');
          return s;
        }
        if (next === ',') {
          this.consume();
          s.add('');
        }
      } else {
        throw new SyntaxError_(`found '${lit}', expected: ',', or identifier`);
      }
    }
  }

  private exactValue(): Set<string> {
    const next = this.lookahead().tok;
    if (next === 'eos' || next === ',') return new Set(['']);
    const { tok, lit } = this.consume();
    if (tok === 'id') return new Set([lit]);
    throw new SyntaxError_(`found '${lit}', expected: identifier`);
  }
}

function built(r: Requirement | string): Requirement {
  if (typeof r === 'string') throw new SyntaxError_(r);
  return r;
}

/**
 * Parses `app=web,tier in (a,b),!canary`. The empty string selects everything. Invalid input
 * throws a 400 BadRequest StatusError worded as Kubernetes words it.
 */
export function parseSelector(s: string): LabelSelector {
  return new RequirementsSelector(parseRequirements(s));
}

export function parseRequirements(s: string): Requirement[] {
  try {
    return new Parser(lex(s)).parse();
  } catch (e) {
    if (e instanceof SyntaxError_) throw badRequest(e.message) as StatusError;
    throw e;
  }
}
