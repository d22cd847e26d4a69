// The ReplicaSet and ReplicationController controllers: the same pod-count loop over two kinds.
import { selectorFromLabelSelector, selectorFromSet, type LabelSelectorSpec } from '../../apimachinery/labels.js';
import type { Controller } from '../../client/controller.js';
import { replicaController } from './replica-controller.js';

export const replicaSetController: Controller = replicaController({
  controllerName: 'replicaset',
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  component: 'replicaset-controller',
  selector: (rs) => selectorFromLabelSelector(rs.spec?.selector as LabelSelectorSpec | undefined),
});

export const replicationController: Controller = replicaController({
  controllerName: 'replicationcontroller',
  apiVersion: 'v1',
  kind: 'ReplicationController',
  component: 'replication-controller',
  // A ReplicationController's selector is a plain label map (defaulted from the template's labels).
  selector: (rc) => {
    const set = (rc.spec?.selector ?? rc.spec?.template?.metadata?.labels) as Record<string, string> | undefined;
    if (!set || Object.keys(set).length === 0) throw new Error('empty selector');
    return selectorFromSet(set);
  },
});

export { replicaController, slowStartBatch, BURST_REPLICAS, type ReplicaKind } from './replica-controller.js';
export { PodExpectations } from './expectations.js';
