// admissionregistration.k8s.io/v1 RuleWithOperations as the API defines it: the kubernetes-types
// declaration leaves out the `resources` and `scope` fields of the embedded Rule.
import type { RuleWithOperations } from 'kubernetes-types/admissionregistration/v1.js';

export interface WebhookRule extends RuleWithOperations {
  // `pods`, `pods/status`, `*`, `*/scale` or all of them and their subresources.
  resources?: string[];
  /** `Cluster`, `Namespaced` or `*`. */
  scope?: string;
}
