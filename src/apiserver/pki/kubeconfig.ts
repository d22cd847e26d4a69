// A kubeconfig for kubectl and the client libraries: one cluster, user and context.
import { chmod } from 'node:fs/promises';
import { stringify } from 'yaml';
import { writeFileAtomic } from './files.js';

export interface KubeconfigOptions {
  /** e.g. `https://127.0.0.1:6443` */
  server: string;
  caCert: string;
  clientCert: string;
  clientKey: string;
  /** Name of the cluster, user and context (default `kite`). */
  name?: string;
  /** Namespace of the context (default `default`). */
  namespace?: string;
}

const base64 = (pem: string) => Buffer.from(pem, 'utf8').toString('base64');

export function renderKubeconfig(opts: KubeconfigOptions): string {
  const name = opts.name ?? 'kite';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: opts.server, 'certificate-authority-data': base64(opts.caCert) } }],
    users: [{ name, user: { 'client-certificate-data': base64(opts.clientCert), 'client-key-data': base64(opts.clientKey) } }],
    contexts: [{ name, context: { cluster: name, user: name, namespace: opts.namespace ?? 'default' } }],
    'current-context': name,
    preferences: {},
  }, { lineWidth: 0 });
}

/** Writes the kubeconfig with mode 0600 (it holds a private key), replacing any earlier file. */
export async function writeKubeconfig(path: string, opts: KubeconfigOptions): Promise<void> {
  await writeFileAtomic(path, renderKubeconfig(opts), 0o600);
  await chmod(path, 0o600);
}
