// Which schema definition a group-version-kind is, for the built-in kinds that have a protobuf
// message: the envelope names an object only by apiVersion and kind.
import { definitions } from '../../api/schema.js';
import { hasMessage } from '../../api/protobuf/index.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
let byKind: Map<string, string> | undefined;

function index(): Map<string, string> {
  if (byKind) return byKind;
  byKind = new Map();
  for (const [name, def] of Object.entries(definitions())) {
    for (const gvk of def['x-kubernetes-group-version-kind'] ?? []) {
      const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
      if (!hasMessage(name)) continue;
      byKind.set(`${apiVersion}/${gvk.kind}`, name);
      // Options and Status are also registered under meta.k8s.io/v1 itself.
      if (name.startsWith(META)) byKind.set(`meta.k8s.io/v1/${gvk.kind}`, name);
    }
  }
  return byKind;
}

/** The definition of `apiVersion`+`kind`, when it has a protobuf message. */
export function protobufDefinition(apiVersion: string, kind: string): string | undefined {
  return index().get(`${apiVersion}/${kind}`);
}
