// Runs controllers against a real API server on a memory backend, the way their tests need it:
// an in-process client with the controller manager's identity, a shared informer factory, a
// controller context recording every Event, and one `close()` that stops it all in order.
import { realClock, type Clock } from '../../src/apimachinery/clock.js';
import { silentLogger } from '../../src/apimachinery/log.js';
import type { KubeObject } from '../../src/apimachinery/object.js';
import { startTestServer, type TestServer } from '../../src/apiserver/testing/fixture.js';
import {
  defaultControllerOptions, type Controller, type ControllerContext, type ControllerOptions, type EventType,
} from '../../src/client/controller.js';
import { isAlreadyExists } from '../../src/client/errors.js';
import { createInformerFactory, type SharedInformerFactory } from '../../src/client/informers.js';
import { ApiClient } from '../../src/client/rest.js';
import { inProcessTransport } from '../../src/client/transport.js';

/** An Event a controller recorded, with the name of the object it is about. */
export interface RecordedEvent {
  name: string;
  namespace: string;
  type: EventType;
  reason: string;
  message: string;
}

export interface ControllerHarnessOptions<C extends Clock = Clock> {
  /** Started once the factory exists, before it starts (none: start them later with `run`). */
  controllers?: Controller[];
  /** The controllers' clock (default: the real one). */
  clock?: C;
  /** The informers' clock (default: the real one, so watches and resyncs run on real time). */
  informerClock?: Clock;
  /** Overrides of `defaultControllerOptions`. */
  options?: Partial<ControllerOptions>;
  /** Namespaces created before the controllers start; ones that already exist are kept. */
  namespaces?: string[];
  /** Called after the controllers start and before the informers do, e.g. to add informer handlers. */
  beforeStart?: (h: { client: ApiClient; informers: SharedInformerFactory }) => void;
}

export interface ControllerHarness<C extends Clock = Clock> {
  server: TestServer;
  /** Connected in-process as `system:kube-controller-manager` in `system:masters`. */
  client: ApiClient;
  informers: SharedInformerFactory;
  clock: C;
  /** Every Event recorded by the controllers, in order. */
  events: RecordedEvent[];
  /** Creates a namespace and returns it. */
  namespace(name: string): Promise<KubeObject>;
  /** Starts one more controller on the shared informers (optionally on its own clock); resolves the returned stop once it has stopped. */
  run(controller: Controller, opts?: { clock?: Clock }): () => Promise<void>;
  /** Stops the controllers and informers, closes the client, then the server. */
  close(): Promise<void>;
}

export async function startControllerHarness<C extends Clock = Clock>(opts: ControllerHarnessOptions<C> = {}): Promise<ControllerHarness<C>> {
  const server = await startTestServer();
  const client = new ApiClient(inProcessTransport(() => server.server.connectInProcess({ name: 'system:kube-controller-manager', groups: ['system:masters'] })));
  const clock = opts.clock ?? (realClock as C);
  const informers = createInformerFactory(client, { clock: opts.informerClock ?? realClock });
  const events: RecordedEvent[] = [];
  const options: ControllerOptions = { ...defaultControllerOptions, ...opts.options };
  const abort = new AbortController();
  const running = new Set<Promise<void>>();

  const namespace = (name: string) =>
    client.kind('v1', 'Namespace').create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

  const context = (c: Clock): ControllerContext => ({
    client, informers, clock: c, logger: silentLogger,
    recorder: () => ({
      event(obj, type, reason, message) {
        events.push({ name: obj.metadata?.name ?? '', namespace: obj.metadata?.namespace ?? '', type, reason, message });
      },
    }),
    options,
  });

  const run = (controller: Controller, o: { clock?: Clock } = {}) => {
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    abort.signal.addEventListener('abort', onAbort, { once: true });
    const done = controller.run(context(o.clock ?? clock), stop.signal);
    running.add(done);
    return async () => {
      stop.abort();
      abort.signal.removeEventListener('abort', onAbort);
      try {
        await done;
      } finally {
        running.delete(done);
      }
    };
  };

  for (const name of opts.namespaces ?? []) {
    try {
      await namespace(name);
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
  }
  for (const c of opts.controllers ?? []) run(c);
  opts.beforeStart?.({ client, informers });
  informers.start(abort.signal);

  return {
    server, client, informers, clock, events, namespace, run,
    async close() {
      abort.abort();
      await Promise.all(running);
      await informers.stopped();
      client.close();
      await server.close();
    },
  };
}
