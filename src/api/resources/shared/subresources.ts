// Subresource declarations several kinds repeat: `status`, and `scale` over spec/status replicas.
import type { ScalePaths, SubresourceType } from '../../types.js';

export function statusSubresource(kind: string): SubresourceType {
  return { name: 'status', kind, verbs: ['get', 'patch', 'update'] };
}

export const SCALE_SUBRESOURCE: SubresourceType = {
  name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'],
};

/** Where `scale` reads and writes replicas and finds the selector. */
export const REPLICAS_SCALE: ScalePaths = { specReplicas: 'spec.replicas', statusReplicas: 'status.replicas', labelSelector: 'spec.selector' };
