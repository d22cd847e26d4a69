// The controllers `kite server` and `kite controller-manager` run.
//
// To add one: give its folder an `index.ts` exporting a `Controller` (src/client/controller.ts),
// commit it type-checked with its tests passing, then import it below and list it in
// `allControllers()`.
import type { Controller } from '../client/controller.js';
import { cronJobController } from '../controllers/cronjob/index.js';
import { daemonSetController } from '../controllers/daemonset/index.js';
import { deploymentController } from '../controllers/deployment/index.js';
import { disruptionController } from '../controllers/disruption/index.js';
import { endpointsController } from '../controllers/endpoints/index.js';
import { endpointSliceController } from '../controllers/endpointslice/index.js';
import { garbageCollector } from '../controllers/garbagecollector/index.js';
import { jobController } from '../controllers/job/index.js';
import { namespaceController } from '../controllers/namespace/index.js';
import { persistentVolumeController } from '../controllers/persistentvolume/index.js';
import { nodeIpamController } from '../controllers/nodeipam/index.js';
import { nodeLifecycleController } from '../controllers/nodelifecycle/index.js';
import { podGCController } from '../controllers/podgc/index.js';
import { replicaSetController, replicationController } from '../controllers/replicaset/index.js';
import { resourceQuotaController } from '../controllers/resourcequota/index.js';
import { serviceAccountController } from '../controllers/serviceaccount/index.js';
import { serviceLBController } from '../controllers/servicelb/index.js';
import { statefulSetController } from '../controllers/statefulset/index.js';
import { ttlAfterFinishedController } from '../controllers/ttlafterfinished/index.js';

export function allControllers(): Controller[] {
  return [
    namespaceController,
    serviceAccountController,
    garbageCollector,
    replicaSetController,
    replicationController,
    deploymentController,
    statefulSetController,
    daemonSetController,
    jobController,
    cronJobController,
    ttlAfterFinishedController,
    endpointsController,
    endpointSliceController,
    serviceLBController,
    nodeIpamController,
    nodeLifecycleController,
    podGCController,
    resourceQuotaController,
    disruptionController,
    persistentVolumeController,
  ];
}
