// One webhook of a configuration, with what the dispatcher needs beside its spec.
import type { MutatingWebhook, ValidatingWebhook } from 'kubernetes-types/admissionregistration/v1.js';

export interface ConfiguredWebhook {
  /** The configuration's metadata.name (ordering is by it, then by position). */
  configuration: string;
  spec: ValidatingWebhook & Partial<Pick<MutatingWebhook, 'reinvocationPolicy'>>;
}
