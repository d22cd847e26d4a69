// Converts the declarations of one kubernetes-types module into OpenAPI v3 definitions.
// Only the shapes the package actually uses are supported; anything else fails the build loudly
// rather than producing a schema that silently accepts everything.
import { posix } from 'node:path';
import ts from 'typescript';
import { INT_OR_STRING, prefixOf, ref } from './names.mjs';

/**
 * @param {ts.SourceFile} file parsed with parent pointers
 * @param {string} module e.g. `apps/v1`
 * @returns {{ definitions: Record<string, object>, kinds: Record<string, {group: string, version: string, kind: string}> }}
 */
export function convertModule(file, module) {
  const prefix = prefixOf(module);
  const imported = new Map();
  for (const stmt of file.statements) {
    if (!ts.isImportDeclaration(stmt)) continue;
    const from = posix.normalize(posix.join(posix.dirname(module), stmt.moduleSpecifier.text));
    for (const el of stmt.importClause?.namedBindings?.elements ?? []) {
      imported.set(el.name.text, `${prefixOf(from)}.${(el.propertyName ?? el.name).text}`);
    }
  }
  const nameOf = (id) => imported.get(id) ?? `${prefix}.${id}`;
  const where = (node) => `${module}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;

  function typeSchema(node) {
    switch (node.kind) {
      case ts.SyntaxKind.StringKeyword: return { type: 'string' };
      // Go's API integers are int32 or int64; TypeScript erases which, so assume the wider one.
      case ts.SyntaxKind.NumberKeyword: return { type: 'integer', format: 'int64' };
      case ts.SyntaxKind.BooleanKeyword: return { type: 'boolean' };
      case ts.SyntaxKind.ParenthesizedType: return typeSchema(node.type);
      case ts.SyntaxKind.ArrayType: return { type: 'array', items: typeSchema(node.elementType) };
      case ts.SyntaxKind.LiteralType:
        if (ts.isStringLiteral(node.literal)) return { type: 'string' };
        break;
      case ts.SyntaxKind.TypeReference: {
        const name = node.typeName.getText(file);
        if (name === 'Array' && node.typeArguments?.length === 1) {
          return { type: 'array', items: typeSchema(node.typeArguments[0]) };
        }
        return ref(nameOf(name));
      }
      case ts.SyntaxKind.UnionType: return unionSchema(node);
      case ts.SyntaxKind.TypeLiteral: {
        const index = node.members.find(ts.isIndexSignatureDeclaration);
        if (index && node.members.length === 1) {
          return { type: 'object', additionalProperties: typeSchema(index.type) };
        }
        return objectSchema(node.members);
      }
    }
    throw new Error(`${where(node)}: unsupported type ${ts.SyntaxKind[node.kind]}`);
  }

  function unionSchema(node) {
    const literals = node.types.filter((t) => ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal));
    if (literals.length === node.types.length) {
      return { type: 'string', enum: literals.map((t) => t.literal.text) };
    }
    const kinds = new Set(node.types.map((t) => t.kind));
    if (kinds.size === 2 && kinds.has(ts.SyntaxKind.NumberKeyword) && kinds.has(ts.SyntaxKind.StringKeyword)) {
      return ref(INT_OR_STRING);
    }
    // A value of several shapes (schema-or-bool and the like): accept any JSON and keep it whole.
    return { 'x-kubernetes-preserve-unknown-fields': true };
  }

  function objectSchema(members) {
    const properties = {};
    const required = [];
    for (const m of members) {
      if (!ts.isPropertySignature(m) || !m.type) throw new Error(`${where(m)}: unsupported member`);
      const name = m.name.getText(file).replace(/^"|"$/g, '');
      properties[name] = described(typeSchema(m.type), docOf(m));
      if (!m.questionToken) required.push(name);
    }
    const schema = { type: 'object' };
    if (members.length) schema.properties = properties;
    if (required.length) schema.required = required.sort();
    return schema;
  }

  const definitions = {};
  const kinds = {};
  for (const stmt of file.statements) {
    if (ts.isInterfaceDeclaration(stmt)) {
      if (stmt.heritageClauses?.length) throw new Error(`${where(stmt)}: interfaces that extend are not supported`);
      const name = `${prefix}.${stmt.name.text}`;
      definitions[name] = described(objectSchema(stmt.members), docOf(stmt));
      const gvk = literalKind(stmt);
      if (gvk) kinds[name] = gvk;
    } else if (ts.isTypeAliasDeclaration(stmt)) {
      definitions[`${prefix}.${stmt.name.text}`] = described(typeSchema(stmt.type), docOf(stmt));
    }
  }
  return { definitions, kinds };
}

/** The JSDoc text of a declaration, as the package ships it. */
function docOf(node) {
  const docs = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc);
  const text = docs.map((d) => ts.getTextOfJSDocComment(d.comment) ?? '').join('\n').trim();
  return text || undefined;
}

/** OpenAPI 3.0 ignores siblings of `$ref`, so a described reference is wrapped in `allOf`. */
function described(schema, description) {
  if (!description) return schema;
  if (schema.$ref) return { allOf: [schema], description };
  return { ...schema, description };
}

/** `{group, version, kind}` of an interface whose apiVersion and kind are string literals. */
function literalKind(decl) {
  const literal = (prop) => {
    const m = decl.members.find((x) => ts.isPropertySignature(x) && x.name.getText() === prop);
    return m?.type && ts.isLiteralTypeNode(m.type) && ts.isStringLiteral(m.type.literal) ? m.type.literal.text : undefined;
  };
  const apiVersion = literal('apiVersion');
  const kind = literal('kind');
  if (!apiVersion || !kind) return undefined;
  const i = apiVersion.indexOf('/');
  return i < 0
    ? { group: '', version: apiVersion, kind }
    : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1), kind };
}
