// resource.Quantity: exact fixed-point amounts ("500m", "1.5Gi", "1e3") with Kubernetes' parsing,
// rounding (up to whole nano-units) and canonical serialisation. Amounts are held as a BigInt count
// of nano-units, which every parsed quantity is by construction.

import { badRequest } from './status.js';

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export const QUANTITY_FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
export const QUANTITY_NUMERIC_ERROR = "unable to parse quantity's numeric part";
export const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";

const NANO = 1_000_000_000n;
const MAX_INT64 = 2n ** 63n - 1n;
// Exponents beyond this would only build enormous numbers; Kubernetes cannot represent them either.
const MAX_EXPONENT = 1000;

const decimalSuffixes: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const binarySuffixes: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const decimalByExponent = new Map(Object.entries(decimalSuffixes).map(([s, e]) => [e, s]));
const binaryByPower = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

const abs = (v: bigint) => (v < 0n ? -v : v);

/** Division rounding away from zero, as Quantity's "round up" does for both signs. */
function divAwayFromZero(n: bigint, d: bigint): bigint {
  const q = n / d;
  if (q * d === n) return q;
  return n < 0n ? q - 1n : q + 1n;
}

export class Quantity {
  /**
   * @param nanos the amount in units of 10^-9
   * @param format how the amount is serialised (kept from the parsed suffix)
   * @param text the parsed text, kept when it already was canonical (Kubernetes does the same)
   */
  constructor(readonly nanos: bigint, readonly format: QuantityFormat = 'DecimalSI', private readonly text?: string) {}

  isZero(): boolean {
    return this.nanos === 0n;
  }

  sign(): -1 | 0 | 1 {
    return this.nanos === 0n ? 0 : this.nanos < 0n ? -1 : 1;
  }

  cmp(other: Quantity): -1 | 0 | 1 {
    return this.nanos === other.nanos ? 0 : this.nanos < other.nanos ? -1 : 1;
  }

  equals(other: Quantity): boolean {
    return this.nanos === other.nanos;
  }

  /** A zero receiver takes the other's format, as Kubernetes' Add does. */
  add(other: Quantity): Quantity {
    return new Quantity(this.nanos + other.nanos, this.isZero() ? other.format : this.format);
  }

  sub(other: Quantity): Quantity {
    return new Quantity(this.nanos - other.nanos, this.isZero() ? other.format : this.format);
  }

  neg(): Quantity {
    return new Quantity(-this.nanos, this.format);
  }

  /** ceil(q / 10^scale) away from zero, e.g. scale -3 gives milli-units. */
  scaledValue(scale: number): bigint {
    const shift = 9 + scale;
    return shift >= 0 ? divAwayFromZero(this.nanos, 10n ** BigInt(shift)) : this.nanos * 10n ** BigInt(-shift);
  }

  /** The whole-unit value rounded away from zero ("100m" → 1). */
  value(): number {
    return Number(this.scaledValue(0));
  }

  /** The value in thousandths rounded away from zero ("1.5" → 1500). */
  milliValue(): number {
    return Number(this.scaledValue(-3));
  }

  asApproximateFloat64(): number {
    return Number(this.nanos) / 1e9;
  }

  toString(): string {
    if (this.text !== undefined) return this.text;
    if (this.nanos === 0n) return '0';
    let format = this.format;
    if (format === 'BinarySI') {
      // Small or fractional binary amounts print in decimal rather than lose precision.
      const small = abs(this.nanos) < 1024n * NANO;
      if (small || this.nanos % NANO !== 0n) format = 'DecimalSI';
    }
    if (format === 'BinarySI') {
      let amount = this.nanos / NANO;
      let power = 0;
      while (power < 6 && amount % 1024n === 0n) {
        amount /= 1024n;
        power++;
      }
      return `${amount}${binaryByPower[power]}`;
    }
    let mantissa = this.nanos;
    let exponent = -9;
    while (mantissa % 10n === 0n) {
      mantissa /= 10n;
      exponent++;
    }
    while (exponent % 3 !== 0) {
      mantissa *= 10n;
      exponent--;
    }
    if (format === 'DecimalExponent') return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
    // Beyond exa there is no SI suffix: keep the amount in E.
    while (exponent > 18) {
      mantissa *= 1000n;
      exponent -= 3;
    }
    return `${mantissa}${decimalByExponent.get(exponent)}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

export function newQuantity(value: number | bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
  return new Quantity(BigInt(value) * NANO, format);
}

export function newMilliQuantity(milli: number | bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
  return new Quantity(BigInt(milli) * 1_000_000n, format);
}

interface Pieces { positive: boolean; num: string; denom: string; suffix: string }

/** Splits sign, integer digits (leading zeros dropped), fraction digits and suffix like Kubernetes. */
function splitQuantity(str: string): Pieces {
  const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
  let pos = 0;
  let positive = true;
  if (str[0] === '-') { positive = false; pos++; } else if (str[0] === '+') { pos++; }
  while (pos < str.length && str[pos] === '0') pos++;
  if (pos >= str.length) return { positive, num: '0', denom: '', suffix: '' };
  let start = pos;
  while (isDigit(str[pos])) pos++;
  const num = str.slice(start, pos) || '0';
  let denom = '';
  if (str[pos] === '.') {
    start = ++pos;
    while (isDigit(str[pos])) pos++;
    denom = str.slice(start, pos);
  }
  const suffixStart = pos;
  while (pos < str.length && 'eEinumkKMGTP'.includes(str[pos]!)) pos++;
  if (str[pos] === '-' || str[pos] === '+') pos++;
  while (isDigit(str[pos])) pos++;
  if (pos < str.length) throw badRequest(QUANTITY_FORMAT_ERROR);
  return { positive, num, denom, suffix: str.slice(suffixStart) };
}

function interpretSuffix(s: string): { base: 2 | 10; exponent: number; format: QuantityFormat } {
  if (s in decimalSuffixes) return { base: 10, exponent: decimalSuffixes[s]!, format: 'DecimalSI' };
  if (s in binarySuffixes) return { base: 2, exponent: binarySuffixes[s]!, format: 'BinarySI' };
  if (s.length > 1 && (s[0] === 'e' || s[0] === 'E') && /^[+-]?\d+$/.test(s.slice(1))) {
    const exponent = Number(s.slice(1));
    if (Math.abs(exponent) <= MAX_EXPONENT) return { base: 10, exponent, format: 'DecimalExponent' };
  }
  throw badRequest(QUANTITY_SUFFIX_ERROR);
}

/**
 * Parses a quantity. Amounts finer than 1n round up (away from zero) to the next nano-unit;
 * binary amounts are capped at 2^63-1. Bad input throws a BadRequest with Kubernetes' message.
 */
export function parseQuantity(str: string): Quantity {
  if (str.length === 0) throw badRequest(QUANTITY_FORMAT_ERROR);
  if (str === '0') return new Quantity(0n, 'DecimalSI', '0');
  const { positive, num, denom, suffix } = splitQuantity(str);
  const { base, exponent, format: parsedFormat } = interpretSuffix(suffix);
  let format = parsedFormat;

  const digits = BigInt(num + denom);
  const scaled = base === 10 ? digits : digits * 2n ** BigInt(exponent);
  const shift = (base === 10 ? exponent : 0) - denom.length + 9;
  let magnitude = shift >= 0 ? scaled * 10n ** BigInt(shift) : divAwayFromZero(scaled, 10n ** BigInt(-shift));
  if (format === 'BinarySI' && magnitude > MAX_INT64 * NANO) magnitude = MAX_INT64 * NANO;
  if (format === 'BinarySI' && magnitude > 0n && magnitude < NANO) format = 'DecimalSI';
  const nanos = positive ? magnitude : -magnitude;
  return new Quantity(nanos, format, canonicalText(num, denom, base, exponent) ? str : undefined);
}

/**
 * Kubernetes keeps the text of quantities that take its fast path already in canonical form and
 * re-serialises that text as is (so "1E3" stays "1E3"); this reproduces that decision.
 */
function canonicalText(num: string, denom: string, base: 2 | 10, exponent: number): boolean {
  const precision = base === 10
    ? 18 - (num.length + denom.length)
    : denom.length === 0 ? 15 - num.length - Math.trunc((exponent * 3) / 10) - 1 : -1;
  if (precision < 0) return false;
  const scale = (base === 10 ? exponent : 0) - denom.length;
  if (scale < -9) return false;
  const shifted = num + denom;
  const value = BigInt(shifted);
  if (value * 2n ** BigInt(base === 2 ? exponent : 0) > MAX_INT64) return false;
  if (base === 2) return exponent % 10 === 0 && (value & 7n) !== 0n;
  return scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
}

/** Quantities arrive in JSON as strings or bare numbers; surrounding spaces are tolerated. */
export function quantityFromJSON(v: unknown): Quantity {
  if (typeof v === 'number' && Number.isFinite(v)) return parseQuantity(String(v));
  if (typeof v === 'string') return parseQuantity(v.trim());
  throw badRequest(QUANTITY_FORMAT_ERROR);
}

/** True when `s` parses as a quantity. */
export function isQuantity(s: string): boolean {
  try {
    parseQuantity(s);
    return true;
  } catch {
    return false;
  }
}
