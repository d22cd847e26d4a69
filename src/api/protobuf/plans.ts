// The generated message definitions (src/api/generated/proto.json, built by scripts/gen-schemas
// from our schemas and the field-number tables), loaded once, with a per-message plan saying how
// each field converts between its JSON form and its protobuf form.
import { existsSync, readFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import { zeroIsMeaningful } from './pointer-fields.js';

/** How a value is written on the wire: a scalar, a plain message, or one of the hand-marshalled forms. */
export type Wire =
  | 'string' | 'bool' | 'int64' | 'int32' | 'double' | 'bytes'
  | 'message' | 'time' | 'microtime' | 'duration' | 'quantity' | 'intstr' | 'json' | 'list'
  | 'schemaOrArray' | 'schemaOrBool' | 'schemaOrStringArray';

export interface FieldPlan {
  /** protobufjs field name (an identifier) and JSON property name. */
  name: string;
  json: string;
  wire: Wire;
  repeated: boolean;
  map: boolean;
  /** A message whose fields sit directly in the JSON object (Go's embedded structs). */
  inline: boolean;
  /** Keep a zero value on decode: required by the schema, or a Go pointer field. */
  keepZero: boolean;
  /** The message plan of message-valued fields (resolved lazily: messages nest recursively). */
  message?: () => MessagePlan;
}

export interface MessagePlan {
  type: protobuf.Type;
  /** The field of a single-field wire form (`raw`, `Raw`, `items`). */
  wire: Wire;
  fields: FieldPlan[];
  /** The fields by JSON property and by protobufjs name (objects are sparse: walk what is there). */
  byJson: Map<string, FieldPlan>;
  byName: Map<string, FieldPlan>;
  inlines: FieldPlan[];
}

const candidates = [
  new URL('../generated/proto.json', import.meta.url),
  new URL('../../../../src/api/generated/proto.json', import.meta.url),
];

let root: protobuf.Root | undefined;
const plans = new Map<string, MessagePlan>();

function loadRoot(): protobuf.Root {
  if (!root) {
    const file = candidates.find((u) => existsSync(u));
    if (!file) throw new Error('src/api/generated/proto.json is missing: run `node scripts/gen-schemas.mjs` (part of `npm run build`)');
    root = protobuf.Root.fromJSON(JSON.parse(readFileSync(file, 'utf8')) as protobuf.INamespace);
    root.resolveAll();
  }
  return root;
}

/** The protobufjs name of a schema definition (`-` is not allowed in names). */
function messageName(definition: string): string {
  return definition.replaceAll('-', '_');
}

/** Whether a definition has a generated message (built-in kinds do; custom resources never). */
export function hasMessage(definition: string): boolean {
  return loadRoot().lookup(messageName(definition)) instanceof protobuf.Type;
}

export function planOf(definition: string): MessagePlan {
  const cached = plans.get(definition);
  if (cached) return cached;
  const type = loadRoot().lookup(messageName(definition));
  if (!(type instanceof protobuf.Type)) throw new Error(`no protobuf message for ${definition}`);
  return planOfType(type, definition);
}

function planOfType(type: protobuf.Type, definition: string): MessagePlan {
  const key = type.fullName.slice(1);
  const cached = plans.get(key);
  if (cached) return cached;
  const plan: MessagePlan = {
    type, wire: ((type.options?.wire as Wire | undefined) ?? 'message'), fields: [], byJson: new Map(), byName: new Map(), inlines: [],
  };
  plans.set(key, plan);
  if (definition !== key) plans.set(definition, plan);
  // An inline message's fields are JSON properties of the outer definition.
  const ownerDefinition = key.split('__')[0].replace('apiextensions_apiserver', 'apiextensions-apiserver');
  for (const f of type.fieldsArray) {
    f.resolve();
    const json = (f.options?.json as string | undefined) ?? f.name;
    const fieldPlan: FieldPlan = {
      name: f.name,
      json,
      wire: 'message',
      repeated: f.repeated,
      map: f.map,
      inline: f.options?.inline === true,
      keepZero: f.options?.required === true || zeroIsMeaningful(ownerDefinition, json),
    };
    if (f.resolvedType instanceof protobuf.Type) {
      const sub = f.resolvedType;
      fieldPlan.wire = (sub.options?.wire as Wire | undefined) ?? 'message';
      let memo: MessagePlan | undefined;
      fieldPlan.message = () => (memo ??= planOfType(sub, sub.fullName.slice(1)));
    } else {
      fieldPlan.wire = scalarWire(f.type);
    }
    plan.fields.push(fieldPlan);
    plan.byName.set(fieldPlan.name, fieldPlan);
    if (fieldPlan.inline) plan.inlines.push(fieldPlan);
    else plan.byJson.set(fieldPlan.json, fieldPlan);
  }
  return plan;
}

function scalarWire(type: string): Wire {
  switch (type) {
    case 'string': case 'bool': case 'int64': case 'int32': case 'double': case 'bytes': return type;
    default: throw new Error(`unexpected protobuf scalar type ${type}`);
  }
}
