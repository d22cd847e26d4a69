// Builds the protobuf message definitions of the Kubernetes wire format (a protobufjs JSON
// descriptor, the Root.fromJSON form) from two inputs: our schemas, which give every field's
// type, and the hand-kept field-number tables in proto-fields/, which give every field's number
// (equal to Kubernetes' generated.proto, since kubectl sends those bytes).
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const REF = '#/components/schemas/';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const EXT = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1';
const SCHEMA = `.${EXT.replaceAll('-', '_')}.JSONSchemaProps`;

/**
 * Types whose wire form is not their JSON form: Kubernetes marshals them by hand. `wire` tells the
 * codec how to convert; the fields are the proto message of generated.proto.
 */
export const wireForms = {
  [`${META}.Time`]: { wire: 'time', fields: { seconds: ['int64', 1], nanos: ['int32', 2] } },
  [`${META}.MicroTime`]: { wire: 'microtime', fields: { seconds: ['int64', 1], nanos: ['int32', 2] } },
  [`${META}.Duration`]: { wire: 'duration', fields: { duration: ['int64', 1] } },
  [`${META}.FieldsV1`]: { wire: 'json', fields: { Raw: ['bytes', 1] } },
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { wire: 'quantity', fields: { string: ['string', 1] } },
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { wire: 'intstr', fields: { type: ['int64', 1], intVal: ['int32', 2], strVal: ['string', 3] } },
  'io.k8s.apimachinery.pkg.runtime.RawExtension': { wire: 'json', fields: { raw: ['bytes', 1] } },
  [`${EXT}.JSON`]: { wire: 'json', fields: { raw: ['bytes', 1] } },
  // A schema, or in JSON an array of schemas / a boolean / a string array instead.
  [`${EXT}.JSONSchemaPropsOrArray`]: { wire: 'schemaOrArray', fields: { schema: [SCHEMA, 1], jSONSchemas: [SCHEMA, 2, 'repeated'] } },
  [`${EXT}.JSONSchemaPropsOrBool`]: { wire: 'schemaOrBool', fields: { allows: ['bool', 1], schema: [SCHEMA, 2] } },
  [`${EXT}.JSONSchemaPropsOrStringArray`]: { wire: 'schemaOrStringArray', fields: { schema: [SCHEMA, 1], property: ['string', 2, 'repeated'] } },
};

/**
 * Parses the field-number tables: `package <definition prefix>`, then one line a message,
 * `Name json=1 other=2 newer=3!` (`!`: a field our schemas lack, skipped).
 * A `# inline: field=N is message M` comment line before a message says that field N holds a
 * message M whose fields appear directly in this message's JSON (Go's embedded structs).
 * @returns {Map<string, {file: string, pkg: string, fields: {json: string, id: number, skip: boolean}[], inlines: {json: string, id: number, message: string}[]}>} by definition name
 */
export function parseFieldTables(files) {
  const tables = new Map();
  for (const [file, text] of Object.entries(files)) {
    let pkg;
    let inlines = [];
    text.split('\n').forEach((raw, i) => {
      const line = raw.trim();
      // `# inline: rule=2 is message Rule; …`: field 2 holds a message whose fields appear directly in this JSON object.
      const inline = /^#\s*inline:\s*([^=\s]+)=(\d+) is message (\w+)/.exec(line);
      if (inline) inlines.push({ json: inline[1], id: Number(inline[2]), message: inline[3] });
      if (!line || line.startsWith('#')) return;
      const where = `${file}:${i + 1}`;
      const words = line.split(/\s+/);
      if (words[0] === 'package') {
        if (pkg || words.length !== 2) throw new Error(`${where}: one "package <prefix>" line a file`);
        pkg = words[1];
        return;
      }
      if (!pkg) throw new Error(`${where}: a message before the package line`);
      const name = `${pkg}.${words[0]}`;
      if (tables.has(name)) throw new Error(`${where}: ${name} listed twice`);
      const fields = [];
      const seen = new Set();
      for (const pair of words.slice(1)) {
        const m = /^([^=\s]+)=(\d+)(!?)$/.exec(pair);
        if (!m) throw new Error(`${where}: "${pair}" is not json=number`);
        const id = Number(m[2]);
        if (seen.has(id) || fields.some((f) => f.json === m[1])) throw new Error(`${where}: ${words[0]} repeats ${pair}`);
        seen.add(id);
        fields.push({ json: m[1], id, skip: m[3] === '!' });
      }
      tables.set(name, { file: where, fields, inlines, pkg });
      inlines = [];
    });
  }
  return tables;
}

export function readFieldTables(dir) {
  let names = [];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.txt')).sort();
  } catch (e) {
    if (e.code !== 'ENOENT') throw e;
  }
  return parseFieldTables(Object.fromEntries(names.map((n) => [n, readFileSync(join(dir, n), 'utf8')])));
}

/** protobufjs names: identifiers only, so `$ref` and `x-kubernetes-…` become `dollar_ref`, `x_kubernetes_…`. */
export function protoName(json) {
  return json.replace(/^\$/, 'dollar_').replace(/[^A-Za-z0-9_]/g, '_');
}

/** The full protobufjs name of a definition (`-` is not allowed in names). */
export function messageName(definition) {
  return definition.replaceAll('-', '_');
}

function refOf(schema) {
  const r = schema.$ref ?? (schema.allOf?.length === 1 ? schema.allOf[0].$ref : undefined);
  return r?.startsWith(REF) ? r.slice(REF.length) : r;
}

/** The proto type of a scalar or referenced schema; undefined when it has no single-field form. */
function elementType(schema) {
  const r = refOf(schema);
  if (r) return { type: `.${messageName(r)}`, ref: r };
  switch (schema.type) {
    case 'string': return { type: schema.format === 'byte' ? 'bytes' : 'string' };
    case 'boolean': return { type: 'bool' };
    // int32 and int64 share the varint wire form; Go sign-extends negative int32 to ten bytes.
    case 'integer': return { type: 'int64' };
    case 'number': return { type: 'double' };
    default: return undefined;
  }
}

/**
 * Builds the descriptor. Fields marked `!`, definitions absent from the tables and fields whose
 * message is absent are left out (`skipped` says which); a table field without a schema
 * property is an error.
 */
export function buildProtoDescriptor(definitions, tables) {
  const messages = new Map();
  const skipped = [];
  for (const [name, form] of Object.entries(wireForms)) {
    if (!definitions[name]) continue;
    const fields = {};
    for (const [f, [type, id, rule]] of Object.entries(form.fields)) fields[f] = rule ? { rule, type, id } : { type, id };
    messages.set(name, { options: { wire: form.wire }, fields });
  }
  const wrappers = new Map();
  for (const [name, table] of tables) {
    if (wireForms[name]) continue;
    const def = definitions[name];
    if (!def) {
      skipped.push(`${name} (not in schemas.json)`);
      continue;
    }
    messages.set(name, { fields: tableFields(name, name, def, table, tables, messages, wrappers, skipped) });
  }
  for (const [name, w] of wrappers) messages.set(name, w);

  // A field of a message nobody numbered cannot be encoded: leave it out, and say so.
  const known = new Set([...messages.keys()].map((n) => `.${messageName(n)}`));
  for (const [name, m] of messages) {
    for (const [f, field] of Object.entries(m.fields)) {
      if (field.type.startsWith('.') && !known.has(field.type)) {
        skipped.push(`${name}.${f} (message ${field.type.slice(1)} has no field table)`);
        delete m.fields[f];
      }
    }
  }

  const root = { nested: {} };
  for (const name of [...messages.keys()].sort()) {
    const parts = messageName(name).split('.');
    let ns = root;
    for (const p of parts.slice(0, -1)) ns = ((ns.nested ??= {})[p] ??= {});
    (ns.nested ??= {})[parts.at(-1)] = messages.get(name);
  }
  return { descriptor: root, messages: messages.size, skipped };
}

/**
 * The fields of one table message, typed by the properties of `def` (the JSON object the fields
 * appear in: the message's own definition, or for an inline message the outer one).
 */
function tableFields(owner, name, def, table, tables, messages, wrappers, skipped) {
  const fields = {};
  for (const { json, id, skip } of table.fields) {
    if (skip) continue;
    const prop = def.properties?.[json];
    if (!prop && owner !== name) {
      // An inline message's fields are looked up in the outer JSON object, which may lack some.
      skipped.push(`${name}.${json} (inline field not in the schema)`);
      continue;
    }
    if (!prop) throw new Error(`${table.file}: ${name} has no property "${json}" in schemas.json (mark it "${json}=${id}!" if the schema lacks it)`);
    const field = fieldOf(owner, json, prop, wrappers);
    if (!field) {
      skipped.push(`${name}.${json} (no protobuf form for its schema)`);
      continue;
    }
    field.id = id;
    const options = {};
    if (protoName(json) !== json) options.json = json;
    if (def.required?.includes(json)) options.required = true;
    if (Object.keys(options).length) field.options = { ...field.options, ...options };
    fields[protoName(json)] = field;
  }
  for (const { json, id, message } of table.inlines) {
    const inner = tables.get(`${table.pkg}.${message}`);
    if (!inner) throw new Error(`${table.file}: inline message ${message} has no field table`);
    const synthetic = `${owner}__inline_${protoName(json)}`;
    messages.set(synthetic, { fields: tableFields(synthetic, `${name}.${json}`, def, inner, tables, messages, wrappers, skipped) });
    fields[protoName(json)] = { type: `.${messageName(synthetic)}`, id, options: { inline: true } };
  }
  return fields;
}

function fieldOf(owner, json, prop, wrappers) {
  if (prop.type === 'array') {
    const item = prop.items && elementType(prop.items);
    if (!item) return undefined;
    return { rule: 'repeated', type: item.type, ...(isPackable(item.type) ? { options: { packed: false } } : {}) };
  }
  if (prop.type === 'object' && prop.additionalProperties && typeof prop.additionalProperties === 'object') {
    const value = prop.additionalProperties;
    if (value.type === 'array') {
      // A map to a named slice type (ExtraValue): the value is a message with `repeated items = 1`.
      const item = value.items && elementType(value.items);
      if (!item) return undefined;
      const wrapper = `${owner}__${protoName(json)}_items`;
      wrappers.set(wrapper, {
        options: { wire: 'list' },
        fields: { items: { rule: 'repeated', type: item.type, id: 1, ...(isPackable(item.type) ? { options: { packed: false } } : {}) } },
      });
      return { keyType: 'string', type: `.${messageName(wrapper)}` };
    }
    const v = elementType(value);
    return v ? { keyType: 'string', type: v.type } : undefined;
  }
  const t = elementType(prop);
  return t ? { type: t.type } : undefined;
}

function isPackable(type) {
  return ['int64', 'int32', 'bool', 'double'].includes(type);
}

/** Builds the descriptor from the tables in scripts/gen-schemas/proto-fields/ and writes proto.json beside schemas.json. */
export function writeProtoDescriptor(root, definitions) {
  const { descriptor, messages, skipped } = buildProtoDescriptor(definitions, readFieldTables(join(root, 'scripts/gen-schemas/proto-fields')));
  const text = JSON.stringify(descriptor);
  for (const dir of ['src/api/generated', 'dist/src/api/generated']) {
    mkdirSync(join(root, dir), { recursive: true });
    writeFileSync(join(root, dir, 'proto.json'), text);
  }
  console.log(`gen-schemas: proto.json, ${messages} messages, ${skipped.length} fields or messages left out`);
}
