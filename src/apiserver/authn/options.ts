// What the API server needs to know to give nodes and pods their identities.
import type { ServiceAccountTokenOptions } from './service-account-token.js';

export interface ServerIdentityOptions {
  /** The cluster CA (PEM certificate and key): signs node certificates at /v1-kite/node-credentials. */
  ca?: { cert: string; key: string };
  /** The node join token; without it (or `ca`) the node-credentials endpoint is not served. */
  nodeToken?: string;
  /** Signing and verifying of service account tokens; without a key, one is made in memory. */
  serviceAccount?: Omit<ServiceAccountTokenOptions, 'clock'>;
  /**
   * The API server's client certificate for the kubelets' HTTPS endpoints
   * (`kube-apiserver-kubelet-client`, in ServerPKI.kubeletClientCert/Key).
   */
  kubeletClient?: { cert: string; key: string };
}
