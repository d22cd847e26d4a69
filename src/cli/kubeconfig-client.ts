// The API client of a component run on its own (`kite scheduler`, `kite controller-manager`,
// `kite simulate`, `kite dns`, `kite proxy`): credentials from a kubeconfig, HTTPS, and one clear
// log line when the file cannot be read.
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

export interface RunAgainstApiOptions {
  kubeconfig: string;
  context?: string;
  userAgent: string;
  /** The command's logger (start-up, failure and stop lines). */
  log: Logger;
  /** What the start-up line says after the server's URL. */
  describe: string;
  /** The command's work, until its signal aborts. */
  run(client: ApiClient): Promise<void>;
}

/**
 * Connects with the kubeconfig and runs the command's work: 0 once it stopped, or 1 after logging
 * why the kubeconfig could not be used or the work failed. The client is closed either way.
 */
export async function runAgainstApi(o: RunAgainstApiOptions): Promise<number> {
  const conn = await clientFromKubeconfig(o.kubeconfig, o.context, o.userAgent, o.log);
  if (!conn) return 1;
  o.log.info(`connecting to ${conn.server}; ${o.describe}`);
  try {
    await o.run(conn.client);
  } catch (err) {
    o.log.error(`failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    conn.client.close();
  }
  o.log.info('stopped');
  return 0;
}
