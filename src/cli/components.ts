// What `kite server` composes, loaded on demand so a start pays only for the modules it uses
// (the etcd client alone costs more than the whole SQLite path).
import type { Duplex } from 'node:stream';
import type { DirectHandler } from '../client/transport.js';
import type { Logger } from '../apimachinery/log.js';
import type { Backend } from '../storage/backend.js';
import type { Datastore } from './flags.js';

/** The API server's contract as `kite server` uses it. */
export interface ApiServerOptions {
  backend: Backend;
  bindAddress: string;
  port: number;
  tls: { cert: string; key: string; clientCA: string };
  logger: Logger;
  /** Node credentials, service account tokens and the client certificate for kubelets. */
  identity?: {
    ca?: { cert: string; key: string };
    nodeToken?: string;
    serviceAccount?: { signingKey?: string; publicKeys?: string[]; issuer?: string; audiences?: string[] };
    kubeletClient?: { cert: string; key: string };
  };
}

export interface ApiServerInstance {
  /** Resolves once the server listens and is ready; it stops when `signal` aborts. */
  start(signal: AbortSignal): Promise<void>;
  address(): { address: string; port: number };
  /** Resolves after the server has stopped. */
  readonly stopped: Promise<void>;
  /**
   * A connection straight into the server's handler, authenticated as `user` (how the controllers
   * in the same process reach it). Servers without it run no in-process controllers.
   */
  connectInProcess?(user: { name: string; groups: string[] }): Duplex;
  /** Requests handed straight to the server's handler as `user`, without a socket (preferred when offered). */
  directHandler?(user: { name: string; groups: string[] }): DirectHandler;
}

export type ApiServerConstructor = new (opts: ApiServerOptions) => ApiServerInstance;

export interface ServerComponents {
  /** A backend for the datastore, not yet started. */
  createBackend(datastore: Datastore, logger: Logger): Promise<Backend>;
  loadApiServer(): Promise<ApiServerConstructor>;
}

export const defaultComponents: ServerComponents = {
  async createBackend(datastore, logger) {
    if (datastore.driver === 'sqlite') {
      const { SqliteBackend } = await import('../storage/sqlite/sqlite.js');
      return new SqliteBackend({ path: datastore.path, logger });
    }
    const { EtcdBackend } = await import('../storage/etcd/etcd.js');
    return new EtcdBackend({ endpoints: datastore.endpoints });
  },
  async loadApiServer() {
    const { ApiServer } = await import('../apiserver/server.js');
    return ApiServer;
  },
};
