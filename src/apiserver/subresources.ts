// Which subresources this server answers. Kinds may declare more (as Kubernetes has them); those
// are neither routed nor advertised in discovery until a handler exists.

export const SERVED_SUBRESOURCES = new Set(['status', 'scale', 'binding', 'finalize', 'eviction', 'token', 'log', 'exec', 'attach', 'portforward']);

/** Streaming subresources of pods, served through the node agent of the pod's node. */
export const NODE_AGENT_SUBRESOURCES = new Set(['log', 'exec', 'attach', 'portforward']);
