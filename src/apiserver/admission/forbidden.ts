// Admission refusals worded as Kubernetes words them: `pods "web" is forbidden: <why>`.
import type { KubeObject } from '../../apimachinery/object.js';
import { StatusError } from '../../apimachinery/status.js';

export function admissionForbidden(group: string, plural: string, obj: KubeObject, why: string): StatusError {
  const name = obj.metadata?.name || obj.metadata?.generateName || 'Unknown';
  const resource = group ? `${plural}.${group}` : plural;
  return new StatusError(403, 'Forbidden', `${resource} "${name}" is forbidden: ${why}`,
    { name, ...(group ? { group } : {}), kind: plural });
}
