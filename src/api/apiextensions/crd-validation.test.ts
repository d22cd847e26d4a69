import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldError } from '../../apimachinery/status.js';
import { validateCRD, validateCRDUpdate } from './crd-validation.js';
import { setCRDDefaults } from './crd-defaults.js';

type Obj = Record<string, unknown>;

function text(e: FieldError): string {
  return `${e.field}: ${e.message || 'Required value'}`;
}

const schema = {
  type: 'object',
  properties: {
    spec: { type: 'object', properties: { replicas: { type: 'integer', default: 1 }, image: { type: 'string' } } },
    status: { type: 'object', properties: { replicas: { type: 'integer' } } },
  },
};

function makeCRD(edit: (crd: Obj & { spec: Obj }) => void = () => {}): Obj {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com', scope: 'Namespaced',
      names: { plural: 'widgets', kind: 'Widget', shortNames: ['wd'] },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: structuredClone(schema) }, subresources: { status: {} } }],
    },
  };
  edit(crd);
  setCRDDefaults(crd);
  return crd;
}

function errorsOf(crd: Obj): string[] {
  return validateCRD(crd).map(text);
}

test('setCRDDefaults fills names, conversion and storedVersions and leaves versions alone', () => {
  const crd = makeCRD();
  const spec = crd.spec as Obj;
  assert.deepEqual(spec.names, { plural: 'widgets', kind: 'Widget', shortNames: ['wd'], singular: 'widget', listKind: 'WidgetList' });
  assert.deepEqual(spec.conversion, { strategy: 'None' });
  assert.deepEqual((crd.status as Obj).storedVersions, ['v1']);
  assert.deepEqual((spec.versions as Obj[])[0]!.subresources, { status: {} });
  assert.equal((spec.versions as Obj[])[0]!.additionalPrinterColumns, undefined);
});

test('validateCRD accepts a well-formed CRD', () => {
  assert.deepEqual(errorsOf(makeCRD()), []);
});

// Expected texts follow apiextensions-apiserver's pkg/apis/apiextensions/validation/validation.go
// and pkg/apiserver/schema/validation.go.
const cases: { name: string; edit: (crd: Obj & { spec: Obj }) => void; want: string[] }[] = [
  { name: 'name must be plural.group', edit: (c) => { (c.metadata as Obj).name = 'widget.example.com'; },
    want: ['metadata.name: Invalid value: "widget.example.com": must be spec.names.plural+"."+spec.group'] },
  { name: 'group needs a dot', edit: (c) => { c.spec.group = 'example'; (c.metadata as Obj).name = 'widgets.example'; },
    want: ['spec.group: Invalid value: "example": should be a domain with at least one dot'] },
  { name: 'scope must be Cluster or Namespaced', edit: (c) => { c.spec.scope = 'Global'; },
    want: ['spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"'] },
  { name: 'kind may have mixed case only', edit: (c) => { (c.spec.names as Obj).kind = 'Wid_get'; },
    want: ['spec.names.kind: Invalid value: "Wid_get": may have mixed case, but should otherwise match: a DNS-1035 label must consist of lower case alphanumeric characters or \'-\', start with an alphabetic character, and end with an alphanumeric character (e.g. \'my-name\',  or \'abc-123\', regex used for validation is \'[a-z]([-a-z0-9]*[a-z0-9])?\')',
      'spec.names.listKind: Invalid value: "Wid_getList": may have mixed case, but should otherwise match: a DNS-1035 label must consist of lower case alphanumeric characters or \'-\', start with an alphabetic character, and end with an alphanumeric character (e.g. \'my-name\',  or \'abc-123\', regex used for validation is \'[a-z]([-a-z0-9]*[a-z0-9])?\')',
      'spec.names.singular: Invalid value: "wid_get": a DNS-1035 label must consist of lower case alphanumeric characters or \'-\', start with an alphabetic character, and end with an alphanumeric character (e.g. \'my-name\',  or \'abc-123\', regex used for validation is \'[a-z]([-a-z0-9]*[a-z0-9])?\')'] },
  { name: 'no storage version', edit: (c) => { (c.spec.versions as Obj[])[0]!.storage = false; },
    want: [
      'spec.versions: Invalid value: []apiextensions.CustomResourceDefinitionVersion{apiextensions.CustomResourceDefinitionVersion{Name:"v1", Served:true, Storage:false, Deprecated:false, DeprecationWarning:(*string)(nil), Schema:(*apiextensions.CustomResourceValidation)(nil), Subresources:(*apiextensions.CustomResourceSubresources)(nil), AdditionalPrinterColumns:[]apiextensions.CustomResourceColumnDefinition(nil), SelectableFields:[]apiextensions.SelectableField(nil)}}: must have exactly one version marked as storage version',
      'status.storedVersions: Invalid value: []string(nil): must have at least one stored version',
    ] },
  { name: 'schema required', edit: (c) => { delete (c.spec.versions as Obj[])[0]!.schema; },
    want: ['spec.versions[0].schema.openAPIV3Schema: Required value'] },
  { name: 'field without a type', edit: (c) => {
    ((((c.spec.versions as Obj[])[0]!.schema as Obj).openAPIV3Schema as Obj).properties as Obj).extra = { description: 'x' };
  }, want: ['spec.validation.openAPIV3Schema.properties[extra].type: Required value: must not be empty for specified object fields'] },
  { name: 'array without items', edit: (c) => {
    ((((c.spec.versions as Obj[])[0]!.schema as Obj).openAPIV3Schema as Obj).properties as Obj).list = { type: 'array' };
  }, want: ['spec.validation.openAPIV3Schema.properties[list].items: Required value: must be specified'] },
  { name: 'metadata restricted to name and generateName', edit: (c) => {
    ((((c.spec.versions as Obj[])[0]!.schema as Obj).openAPIV3Schema as Obj).properties as Obj).metadata = { type: 'object', properties: { labels: { type: 'object' } } };
  }, want: [
    'spec.validation.openAPIV3Schema.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified',
  ] },
  { name: 'additionalProperties with properties', edit: (c) => {
    const props = (((c.spec.versions as Obj[])[0]!.schema as Obj).openAPIV3Schema as Obj).properties as Obj;
    props.spec = { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: { type: 'string' } };
  }, want: ['spec.validation.openAPIV3Schema.properties[spec].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive'] },
  { name: 'default of the wrong type', edit: (c) => {
    const props = (((c.spec.versions as Obj[])[0]!.schema as Obj).openAPIV3Schema as Obj).properties as Obj;
    ((props.spec as Obj).properties as Obj).replicas = { type: 'integer', default: 'one' };
  }, want: ['spec.validation.openAPIV3Schema.properties[spec].properties[replicas].default: Invalid value: "string":  in body must be of type integer: "string"'] },
  { name: 'default with unknown fields', edit: (c) => {
    const props = (((c.spec.versions as Obj[])[0]!.schema as Obj).openAPIV3Schema as Obj).properties as Obj;
    (props.spec as Obj).default = { replicas: 2, bogus: true };
  }, want: ['spec.validation.openAPIV3Schema.properties[spec].default: Invalid value: map[string]interface {}{"bogus":true, "replicas":2}: must not have unknown fields'] },
  { name: 'list-map keys must be required or defaulted', edit: (c) => {
    const props = (((c.spec.versions as Obj[])[0]!.schema as Obj).openAPIV3Schema as Obj).properties as Obj;
    props.ports = { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object', properties: { name: { type: 'string' } } } };
  }, want: ['spec.validation.openAPIV3Schema.properties[ports].items.properties[name].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property'] },
  { name: 'invalid pattern', edit: (c) => {
    const props = (((c.spec.versions as Obj[])[0]!.schema as Obj).openAPIV3Schema as Obj).properties as Obj;
    ((props.spec as Obj).properties as Obj).image = { type: 'string', pattern: '+' };
  }, want: ['spec.validation.openAPIV3Schema.properties[spec].properties[image].pattern: Invalid value: "+": must be a valid regular expression, but isn\'t: error parsing regexp: missing argument to repetition operator: `+`'] },
  { name: 'printer column type and path', edit: (c) => {
    (c.spec.versions as Obj[])[0]!.additionalPrinterColumns = [{ name: 'Replicas', type: 'int', jsonPath: 'spec.replicas' }];
  }, want: [
    'spec.additionalPrinterColumns[0].type: Invalid value: "int": must be one of boolean,date,integer,number,string',
    'spec.additionalPrinterColumns[0].JSONPath: Invalid value: "spec.replicas": must be a simple json path starting with .',
  ] },
  { name: 'scale paths', edit: (c) => {
    (c.spec.versions as Obj[])[0]!.subresources = { status: {}, scale: { specReplicasPath: '.status.replicas', statusReplicasPath: '' } };
  }, want: [
    'spec.subresources.scale.specReplicasPath: Invalid value: ".status.replicas": should be a json path under .spec',
    'spec.subresources.scale.statusReplicasPath: Required value',
  ] },
  { name: 'webhook conversion needs a client config', edit: (c) => { c.spec.conversion = { strategy: 'Webhook', webhook: { conversionReviewVersions: ['v1'] } }; },
    want: ['spec.conversion.webhookClientConfig: Required value: required when strategy is set to Webhook'] },
];

for (const c of cases) {
  test(`validateCRD: ${c.name}`, () => {
    assert.deepEqual(errorsOf(makeCRD(c.edit)).sort(), [...c.want].sort());
  });
}

test('validateCRD reports per-version paths when versions differ', () => {
  const crd = makeCRD((c) => {
    const versions = c.spec.versions as Obj[];
    versions.push({ name: 'v2', served: true, storage: false, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { x: {} } } } } } });
  });
  assert.deepEqual(errorsOf(crd), [
    'spec.versions[1].schema.openAPIV3Schema.properties[spec].properties[x].type: Required value: must not be empty for specified object fields',
  ]);
});

test('validateCRDUpdate keeps group and plural immutable, and scope once established', () => {
  const old = makeCRD();
  (old.status as Obj).conditions = [{ type: 'Established', status: 'True' }];
  const changed = makeCRD((c) => { c.spec.scope = 'Cluster'; });
  (changed.status as Obj).conditions = [{ type: 'Established', status: 'True' }];
  assert.deepEqual(validateCRDUpdate(changed, old).map(text), ['spec.scope: Invalid value: "Cluster": field is immutable']);
});

test('validateCRDUpdate refuses to drop a version that is still stored', () => {
  const old = makeCRD();
  const changed = makeCRD((c) => { (c.spec.versions as Obj[])[0]!.name = 'v2'; });
  (changed.status as Obj).storedVersions = ['v1', 'v2'];
  assert.deepEqual(validateCRDUpdate(changed, old).map(text), [
    'status.storedVersions[0]: Invalid value: "v1": missing from spec.versions; v1 was previously a storage version, and must remain in spec.versions until a storage migration ensures no data remains persisted in v1 and removes v1 from status.storedVersions',
  ]);
});
