// Who may use the kubelet's endpoint. Every client already holds a certificate from the cluster
// CA; of those, only the API server's kubelet client and cluster admins may read logs or open
// streams (a node's own certificate may not reach another node's containers).
import type { TLSSocket } from 'node:tls';

export interface KubeletClientIdentity {
  user: string;
  groups: string[];
}

/** The client certificate's subject: CN is the user, O the groups. */
export function peerIdentity(socket: TLSSocket): KubeletClientIdentity {
  const subject = socket.getPeerCertificate?.()?.subject as { CN?: string | string[]; O?: string | string[] } | undefined;
  const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  return { user: list(subject?.CN)[0] ?? '', groups: list(subject?.O) };
}

export const KUBELET_CLIENT_USER = 'kube-apiserver-kubelet-client';

export function defaultKubeletAuthorizer(id: KubeletClientIdentity): boolean {
  return id.user === KUBELET_CLIENT_USER || id.groups.includes('system:masters');
}

/** Kubernetes' wording when the kubelet refuses a client. */
export function forbiddenMessage(id: KubeletClientIdentity, verb: string): string {
  return `Forbidden (user=${id.user}, verb=${verb}, resource=nodes, subresource=proxy)`;
}
