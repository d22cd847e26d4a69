// Converting objects between the JSON our API server stores and the raw protobuf message of the
// Kubernetes wire format (the bytes inside the envelope's `raw`), by the generated definitions.
import { planOf, type FieldPlan, type MessagePlan } from './plans.js';
import {
  durationFromWire, durationToWire, int64, intOrStringFromWire, intOrStringToWire, timeFromWire, timeToWire,
  type IntOrStringWire, type Long, type Timestamp,
} from './wire-values.js';

type JSONObject = Record<string, unknown>;
type Message = Record<string, unknown>;

/** The protobuf message of `obj` as the definition describes it; only fields present are written. */
export function encodeObject(obj: JSONObject, definitionName: string): Uint8Array {
  const plan = planOf(definitionName);
  return plan.type.encode(toMessage(obj, plan)).finish();
}

/**
 * The JSON object a message holds. Zero scalars of optional fields are dropped (Go writes every
 * non-pointer scalar, where JSON would leave it out), except where zero means something (pointer-fields.ts).
 * Throws on malformed bytes (protobufjs' RangeError/Error).
 */
export function decodeObject(bytes: Uint8Array, definitionName: string): JSONObject {
  const plan = planOf(definitionName);
  return fromMessage(plan.type.decode(bytes) as unknown as Message, plan);
}

function toMessage(obj: JSONObject, plan: MessagePlan): Message {
  const out: Message = {};
  for (const f of plan.inlines) out[f.name] = toMessage(obj, f.message!());
  for (const key in obj) {
    const f = plan.byJson.get(key);
    if (!f) continue;
    const v = obj[key];
    if (v === undefined || v === null) continue;
    if (f.repeated) {
      if (!Array.isArray(v)) throw new Error(`${f.json}: expected an array`);
      out[f.name] = v.map((x) => toWire(x, f));
    } else if (f.map) {
      if (typeof v !== 'object' || Array.isArray(v)) throw new Error(`${f.json}: expected an object`);
      const m: Message = {};
      for (const [k, x] of Object.entries(v as JSONObject)) if (x !== null && x !== undefined) m[k] = toWire(x, f);
      out[f.name] = m;
    } else {
      out[f.name] = toWire(v, f);
    }
  }
  return out;
}

function toWire(v: unknown, f: FieldPlan): unknown {
  switch (f.wire) {
    case 'message': return toMessage(v as JSONObject, f.message!());
    case 'time': case 'microtime': return timeToWire(String(v));
    case 'duration': return { duration: durationToWire(String(v)) };
    case 'quantity': return { string: String(v) };
    case 'intstr': return intOrStringToWire(v as number | string);
    case 'json': {
      const raw = Buffer.from(JSON.stringify(v));
      return { [f.message!().fields[0].name]: raw };
    }
    case 'list': {
      const items = f.message!().fields[0];
      return { items: (v as unknown[]).map((x) => toWire(x, items)) };
    }
    case 'bytes': return typeof v === 'string' ? Buffer.from(v, 'base64') : v;
    case 'schemaOrArray': case 'schemaOrBool': case 'schemaOrStringArray': return schemaAlternativeToWire(v, f);
    default: return v;
  }
}

/** JSONSchemaPropsOr{Array,Bool,StringArray}: a schema, or an array of schemas, a boolean or a string array. */
function schemaAlternativeToWire(v: unknown, f: FieldPlan): Message {
  const plan = f.message!();
  const schema = plan.fields.find((x) => x.json === 'schema')!;
  const toSchema = (x: unknown) => toMessage(x as JSONObject, schema.message!());
  if (f.wire === 'schemaOrBool') return typeof v === 'boolean' ? { allows: v } : { allows: true, schema: toSchema(v) };
  if (Array.isArray(v)) return f.wire === 'schemaOrArray' ? { jSONSchemas: v.map(toSchema) } : { property: v };
  return { schema: toSchema(v) };
}

function schemaAlternativeFromWire(v: Message, f: FieldPlan): unknown {
  const plan = f.message!();
  const schema = plan.fields.find((x) => x.json === 'schema')!;
  const fromSchema = (x: unknown) => fromMessage(x as Message, schema.message!());
  if (v.schema) return fromSchema(v.schema);
  if (f.wire === 'schemaOrBool') return v.allows === true;
  if (f.wire === 'schemaOrArray') return ((v.jSONSchemas as unknown[] | undefined) ?? []).map(fromSchema);
  return [...((v.property as string[] | undefined) ?? [])];
}

const scalarWires = new Set<FieldPlan['wire']>(['string', 'bool', 'int64', 'int32', 'double', 'bytes', 'quantity', 'intstr']);

function fromMessage(m: Message, plan: MessagePlan): JSONObject {
  const out: JSONObject = {};
  // Own properties only: protobufjs keeps the defaults of absent fields on the prototype.
  for (const key of Object.keys(m)) {
    const f = plan.byName.get(key);
    if (!f) continue;
    const v = m[key];
    if (f.inline) {
      if (v) Object.assign(out, fromMessage(v as Message, f.message!()));
      continue;
    }
    if (f.repeated) {
      if (Array.isArray(v) && v.length) out[f.json] = v.map((x) => fromWire(x, f) ?? zeroOf(f));
      continue;
    }
    if (f.map) {
      if (v && typeof v === 'object') {
        const entries = Object.entries(v as Message);
        if (entries.length) out[f.json] = Object.fromEntries(entries.map(([k, x]) => [k, fromWire(x, f) ?? zeroOf(f)]));
      }
      continue;
    }
    if (v === null || v === undefined) continue;
    const value = fromWire(v, f);
    if (value === undefined) continue;
    // Only scalars have a zero Go writes regardless; a JSON `false` or `0` (a default) is a value.
    if (!f.keepZero && scalarWires.has(f.wire) && (value === '' || value === 0 || value === false)) continue;
    out[f.json] = value;
  }
  return out;
}

function fromWire(v: unknown, f: FieldPlan): unknown {
  if (v === null || v === undefined) return undefined;
  switch (f.wire) {
    case 'message': return fromMessage(v as Message, f.message!());
    case 'time': return timeFromWire(v as Timestamp, false);
    case 'microtime': return timeFromWire(v as Timestamp, true);
    case 'duration': return durationFromWire(int64((v as { duration?: number | Long }).duration));
    case 'quantity': return (v as { string?: string }).string ?? '';
    case 'intstr': return intOrStringFromWire(v as IntOrStringWire);
    case 'json': {
      const raw = (v as Message)[f.message!().fields[0].name] as Uint8Array | undefined;
      if (!raw || raw.length === 0) return undefined;
      if (raw[0] === 0x6b && raw[1] === 0x38 && raw[2] === 0x73 && raw[3] === 0x00) {
        throw new Error(`${f.json}: embedded protobuf objects are not supported, only JSON`);
      }
      return JSON.parse(Buffer.from(raw).toString('utf8')) as unknown;
    }
    case 'list': {
      const items = f.message!().fields[0];
      const arr = (v as { items?: unknown[] }).items ?? [];
      return arr.map((x) => fromWire(x, items) ?? zeroOf(items));
    }
    case 'int64': return int64(v as number | Long);
    case 'bytes': return Buffer.from(v as Uint8Array).toString('base64');
    case 'schemaOrArray': case 'schemaOrBool': case 'schemaOrStringArray': return schemaAlternativeFromWire(v as Message, f);
    default: return v;
  }
}

/** A list item or map value is never absent: an empty message stands for its zero value. */
function zeroOf(f: FieldPlan): unknown {
  switch (f.wire) {
    case 'message': return {};
    case 'intstr': case 'int64': case 'int32': case 'double': return 0;
    case 'bool': return false;
    case 'list': return [];
    case 'json': return null;
    default: return '';
  }
}

