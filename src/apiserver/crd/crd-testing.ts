// CRDs the custom resource tests share.

export function widgetCRD(overrides: { scope?: 'Namespaced' | 'Cluster'; group?: string; plural?: string; kind?: string; shortNames?: string[] } = {}) {
  const group = overrides.group ?? 'example.com';
  const plural = overrides.plural ?? 'widgets';
  const kind = overrides.kind ?? 'Widget';
  const schema = {
    openAPIV3Schema: {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            size: { type: 'string', enum: ['small', 'large'], default: 'small' },
            replicas: { type: 'integer', minimum: 0, maximum: 10 },
            selector: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          },
        },
        status: { type: 'object', properties: { replicas: { type: 'integer' }, phase: { type: 'string' } } },
      },
    },
  };
  const subresources = {
    status: {},
    scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' },
  };
  const columns = [
    { name: 'Size', type: 'string', jsonPath: '.spec.size' },
    { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ];
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope: overrides.scope ?? 'Namespaced',
      names: {
        plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List`,
        shortNames: overrides.shortNames ?? ['wd'], categories: ['all-widgets'],
      },
      versions: [
        { name: 'v1beta1', served: true, storage: false, schema, subresources, additionalPrinterColumns: columns },
        { name: 'v1', served: true, storage: true, schema, subresources, additionalPrinterColumns: columns },
      ],
    },
  };
}
