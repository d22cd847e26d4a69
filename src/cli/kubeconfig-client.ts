// The API client of a component run on its own (`kite scheduler`, `kite controller-manager`,
// `kite simulate`, `kite dns`, `kite proxy`): credentials from a kubeconfig, HTTPS, and one clear
// log line when the file cannot be read.
import { realClock } from '../apimachinery/clock.js';
import type { Logger } from '../apimachinery/log.js';
import { createInformerFactory, type SharedInformerFactory } from '../client/informers.js';
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

/** A component fed by informers (`kite dns`, `kite proxy`): runs until its signal aborts. */
export interface InformerComponent {
  start(signal: AbortSignal): Promise<void>;
}

export interface RunInformerComponentOptions {
  kubeconfig: string;
  context?: string;
  userAgent: string;
  /** The component's logger (start-up, failure and stop lines). */
  log: Logger;
  /** The logger handed to the informers. */
  logger: Logger;
  signal: AbortSignal;
  create(informers: SharedInformerFactory): InformerComponent;
  /** What the start-up line says after the server's URL. */
  describe: string;
}

/** Connects with the kubeconfig and runs the component until `signal` aborts: 0, or 1 after logging why. */
export async function runInformerComponent(o: RunInformerComponentOptions): Promise<number> {
  const conn = await clientFromKubeconfig(o.kubeconfig, o.context, o.userAgent, o.log);
  if (!conn) return 1;
  const component = o.create(createInformerFactory(conn.client, { clock: realClock, logger: o.logger }));
  o.log.info(`connecting to ${conn.server}; ${o.describe}`);
  try {
    await component.start(o.signal);
  } catch (err) {
    o.log.error(`failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    conn.client.close();
  }
  o.log.info('stopped');
  return 0;
}
