// NetworkPolicy enforcement on a node: the enforcer, and the pure model → ruleset → nft steps.
export { computeRuleset, podChainName, type Ruleset, type SetDef } from './compute.js';
export { NAMESPACE_REF, NETWORK_POLICY_REF, NetworkPolicyEnforcer, POD_REF, type EnforcerStats, type NetworkPolicyEnforcerOptions } from './enforcer.js';
export { namespaceInfo, podInfo, policyInfo, type NamespaceInfo, type PodInfo, type PolicyInfo, type PolicyModel } from './model.js';
export { BASE_CHAIN, DEFAULT_TABLE, EGRESS_MAP, INGRESS_MAP, planTransaction, renderCleanup, type AppliedState } from './render.js';
