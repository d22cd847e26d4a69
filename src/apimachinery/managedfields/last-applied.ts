// kubectl's client-side apply annotation during server-side apply by the `kubectl` manager:
// conflicts on fields whose live values still match the annotation are allowed (the object is
// moving from client-side to server-side apply), and the annotation is kept up to date.
import { compareValues, fieldsOf, stableJSON, type FieldSet, type TypeSchema } from '../fieldpath/index.js';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
/** Only this manager's applies read and write the annotation (kubectl --server-side's default). */
export const LAST_APPLIED_MANAGER = 'kubectl';

type Obj = Record<string, unknown>;

function annotationOf(obj: unknown): string | undefined {
  const a = ((obj as Obj | undefined)?.metadata as Obj | undefined)?.annotations as Obj | undefined;
  const v = a?.[LAST_APPLIED_ANNOTATION];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function hasLastApplied(obj: unknown): boolean {
  return annotationOf(obj) !== undefined;
}

/** Fields set in the annotation whose live values have not changed since, or undefined without one. */
export function allowedByLastApplied(live: unknown, schema: TypeSchema): FieldSet | undefined {
  const text = annotationOf(live);
  if (!text) return undefined;
  let last: unknown;
  try { last = JSON.parse(text); } catch { return undefined; }
  if (!last || typeof last !== 'object' || Array.isArray(last)) return undefined;
  return fieldsOf(last, schema).difference(compareValues(last, live, schema).modified);
}

/** The annotation's new value: the applied configuration without the annotation itself. */
export function lastAppliedValue(config: unknown): string {
  const c = structuredClone(config) as Obj;
  const ann = (c.metadata as Obj | undefined)?.annotations as Obj | undefined;
  if (ann) delete ann[LAST_APPLIED_ANNOTATION];
  return stableJSON(c);
}
