import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allResources } from '../registry.js';
import { definitions, refName, type Schema } from '../schema.js';
import { hasMessage, planOf, type MessagePlan } from './plans.js';

const meta = 'io.k8s.apimachinery.pkg.apis.meta.v1';
/** Kinds served beside the registry's resources: errors, options and non-stored requests. */
const extraKinds = [
  `${meta}.Status`, `${meta}.DeleteOptions`, `${meta}.WatchEvent`,
  'io.k8s.api.policy.v1.Eviction', 'io.k8s.api.autoscaling.v1.Scale', 'io.k8s.api.authentication.v1.TokenRequest',
  'io.k8s.api.authorization.v1.SelfSubjectAccessReview', 'io.k8s.api.authorization.v1.SelfSubjectRulesReview',
  'io.k8s.api.authentication.v1.SelfSubjectReview', 'io.k8s.api.core.v1.Binding',
];
/** Wire forms whose JSON form is not an object of properties (see scripts/gen-schemas/proto.mjs). */
const wireForms = new Set(['time', 'microtime', 'duration', 'quantity', 'intstr', 'json']);

function servedDefinitions(): string[] {
  const roots = new Set(extraKinds);
  for (const rt of allResources()) {
    if (typeof rt.schema !== 'string') continue;
    roots.add(rt.schema);
    roots.add(`${rt.schema}List`);
  }
  const defs = definitions();
  const seen = new Set<string>();
  const visit = (s: Schema | undefined): void => {
    if (!s || typeof s !== 'object') return;
    if (s.$ref) add(refName(s.$ref));
    for (const sub of [...(s.allOf ?? []), ...(s.oneOf ?? []), s.items]) visit(sub);
    if (typeof s.additionalProperties === 'object') visit(s.additionalProperties);
    for (const p of Object.values(s.properties ?? {})) visit(p);
  };
  const add = (name: string): void => {
    if (seen.has(name) || !defs[name]) return;
    seen.add(name);
    visit(defs[name]);
  };
  for (const r of roots) add(r);
  return [...seen].sort();
}

/** Properties with a field, inline messages' fields included. */
function coveredProperties(plan: MessagePlan, out = new Set<string>()): Set<string> {
  for (const f of plan.fields) {
    if (f.inline) coveredProperties(f.message!(), out);
    else out.add(f.json);
  }
  return out;
}

/** What the field-number tables leave out of the served kinds, as `Definition.property`. */
function missingFields(): string[] {
  const missing: string[] = [];
  for (const name of servedDefinitions()) {
    if (!hasMessage(name)) {
      missing.push(`${name} (no message)`);
      continue;
    }
    const plan = planOf(name);
    if (wireForms.has(plan.wire)) continue;
    const covered = coveredProperties(plan);
    for (const prop of Object.keys(definitions()[name].properties ?? {})) {
      if (prop === 'apiVersion' || prop === 'kind') continue; // carried by the envelope
      if (!covered.has(prop)) missing.push(`${name}.${prop}`);
    }
  }
  return missing;
}

test('the field-number tables number every property of every served kind', () => {
  const missing = missingFields();
  assert.deepEqual(missing, [], `fields without a protobuf number:\n${missing.join('\n')}`);
});
