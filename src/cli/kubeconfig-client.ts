// The API client of a component run on its own (`kite scheduler`, `kite controller-manager`,
// `kite simulate`): credentials from a kubeconfig, HTTPS, and one clear log line when the file
// cannot be read.
import type { Logger } from '../apimachinery/log.js';
import { loadKubeconfig } from '../client/kubeconfig.js';
import { ApiClient } from '../client/rest.js';
import { httpsTransport } from '../client/transport.js';

export interface KubeconfigClient {
  client: ApiClient;
  /** The API server's URL, for the start-up log line. */
  server: string;
}

/** The client, or undefined (after logging why) when the kubeconfig cannot be used. */
export async function clientFromKubeconfig(path: string, context: string | undefined, userAgent: string, log: Logger): Promise<KubeconfigClient | undefined> {
  try {
    const creds = await loadKubeconfig(path, context);
    return { client: new ApiClient(httpsTransport(creds, userAgent)), server: creds.server };
  } catch (err) {
    log.error(`cannot read kubeconfig ${path}: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}
