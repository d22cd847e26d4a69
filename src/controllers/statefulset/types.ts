// The wire types this controller handles, as KubeObjects the client and informers accept.
import type {
  ControllerRevision as WireControllerRevision, StatefulSet as WireStatefulSet, StatefulSetStatus,
} from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim as WireClaim, Pod as WirePod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../apimachinery/object.js';

export type StatefulSet = WireStatefulSet & KubeObject;
export type ControllerRevision = WireControllerRevision & KubeObject;
export type Pod = WirePod & KubeObject;
export type PersistentVolumeClaim = WireClaim & KubeObject;
export type { StatefulSetStatus };
