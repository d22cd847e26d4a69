// The controllers `kite server` and `kite controller-manager` run.
//
// To add one: give its folder an `index.ts` exporting a `Controller` (src/client/controller.ts),
// commit it type-checked with its tests passing, then import it below and list it in
// `allControllers()`. Still to come here as their folders land: garbagecollector
// (`garbageCollector`), deployment (`deploymentController`), endpointslice
// (`endpointSliceController`), nodelifecycle (`nodeLifecycleController`), podgc
// (`podGCController`), and daemonset, job, cronjob, ttlafterfinished.
import type { Controller } from '../client/controller.js';
import { endpointsController } from '../controllers/endpoints/index.js';
import { namespaceController } from '../controllers/namespace/index.js';
import { replicaSetController, replicationController } from '../controllers/replicaset/index.js';
import { serviceAccountController } from '../controllers/serviceaccount/index.js';

export function allControllers(): Controller[] {
  return [
    namespaceController,
    serviceAccountController,
    replicaSetController,
    replicationController,
    endpointsController,
  ];
}
