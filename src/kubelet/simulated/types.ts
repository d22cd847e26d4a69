// The wire types simulated nodes handle, as KubeObjects the client and informers accept.
import type { Lease as WireLease } from 'kubernetes-types/coordination/v1.js';
import type { Node as WireNode, Pod as WirePod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../apimachinery/object.js';

export type Pod = WirePod & KubeObject;
export type Node = WireNode & KubeObject;
export type Lease = WireLease & KubeObject;
