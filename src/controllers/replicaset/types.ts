// The fields of pods and replica sets these controllers read and write, with mutable metadata.
import type { KubeObject, ObjectMeta, OwnerReference } from '../../apimachinery/object.js';
import type { LabelSelectorSpec } from '../../apimachinery/labels.js';

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastProbeTime?: string | null;
}

export interface PodTemplate {
  metadata?: ObjectMeta;
  spec?: Record<string, unknown>;
}

export interface Pod extends KubeObject {
  metadata?: ObjectMeta;
  spec?: { nodeName?: string; [k: string]: unknown };
  status?: {
    phase?: string;
    conditions?: Condition[];
    containerStatuses?: { restartCount?: number }[];
    [k: string]: unknown;
  };
}

export interface ReplicaStatus {
  replicas?: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: Condition[];
  [k: string]: unknown;
}

/** A ReplicaSet (selector is a LabelSelector) or a ReplicationController (selector is a map). */
export interface ReplicaOwner extends KubeObject {
  metadata?: ObjectMeta;
  spec?: {
    replicas?: number;
    minReadySeconds?: number;
    selector?: LabelSelectorSpec | Record<string, string> | null;
    template?: PodTemplate;
  };
  status?: ReplicaStatus;
}

export type { OwnerReference };
