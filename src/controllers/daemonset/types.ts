// The wire types this controller handles, as KubeObjects the client and informers accept.
import type {
  ControllerRevision as WireControllerRevision, DaemonSet as WireDaemonSet, DaemonSetStatus,
} from 'kubernetes-types/apps/v1.js';
import type { Node as WireNode, Pod as WirePod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../apimachinery/object.js';

export type DaemonSet = WireDaemonSet & KubeObject;
export type ControllerRevision = WireControllerRevision & KubeObject;
export type Pod = WirePod & KubeObject;
export type Node = WireNode & KubeObject;
export type { DaemonSetStatus };
