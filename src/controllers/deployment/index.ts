// The Deployment controller: rolling and recreate rollouts over ReplicaSets, as Kubernetes runs them.
export { deploymentController } from './controller.js';
export { computeHash, equalIgnoreHash, POD_TEMPLATE_HASH } from './hash.js';
export { REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS, resolveFenceposts, scaledValue } from './util.js';
