// The pod-spec surface other resource groups build on: defaults and validation for a pod spec and
// a pod template (Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs, CronJobs, RCs).
export { setPodSpecDefaults, setPodTemplateSpecDefaults } from './pod-spec-defaults.js';
export { validatePodSpec, validatePodTemplateSpec } from './pod-spec-validation.js';
