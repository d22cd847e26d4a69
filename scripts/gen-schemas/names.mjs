// Maps a kubernetes-types module (a .d.ts path relative to the package) to the OpenAPI definition
// prefix Kubernetes publishes its types under, so our $refs and definition names match upstream.

/** Modules whose Go packages live outside `k8s.io/api`. */
const special = {
  'meta/v1': 'io.k8s.apimachinery.pkg.apis.meta.v1',
  'api/resource': 'io.k8s.apimachinery.pkg.api.resource',
  'runtime': 'io.k8s.apimachinery.pkg.runtime',
  'version': 'io.k8s.apimachinery.pkg.version',
  'util/intstr': 'io.k8s.apimachinery.pkg.util.intstr',
  'apiextensions/v1': 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1',
};

/** `apps/v1` → `io.k8s.api.apps.v1`; `meta/v1` → `io.k8s.apimachinery.pkg.apis.meta.v1`. */
export function prefixOf(module) {
  return special[module] ?? `io.k8s.api.${module.replaceAll('/', '.')}`;
}

export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

export function ref(name) {
  return { $ref: `#/components/schemas/${name}` };
}
