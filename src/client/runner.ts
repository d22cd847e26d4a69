// Runs reconcilers over a work queue: failures retry with the queue's backoff, successes may ask
// to be looked at again later.
import type { WorkQueue } from "./workqueue.js";
import { isNamespaceTerminating } from './errors.js';

export type ReconcileResult = { requeueAfterMs?: number } | void;

export interface RunWorkersOptions {
  workers: number;
  signal: AbortSignal;
  onError?: (key: string, err: unknown) => void;
}

/**
 * Starts `workers` loops over the queue and resolves once the signal has aborted (or the queue was
 * shut down elsewhere) and every reconcile in flight has finished. Keys still queued at abort are released without reconciling:
 * controllers are level-triggered, so the next start finds the same work by listing.
 */
export async function runWorkers(
  queue: WorkQueue,
  reconcile: (key: string) => Promise<ReconcileResult>,
  opts: RunWorkersOptions,
): Promise<void> {
  const { signal, onError } = opts;
  const stop = (): void => queue.shutDown();
  if (signal.aborted) stop();
  else signal.addEventListener("abort", stop, { once: true });

  const worker = async (): Promise<void> => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        if (signal.aborted) continue;
        const result = await reconcile(key);
        queue.forget(key);
        if (result && result.requeueAfterMs !== undefined) queue.addAfter(key, result.requeueAfterMs);
      } catch (err) {
        // Content refused because its namespace is going away needs no retry: the namespace's
        // deletion removes what the key stood for.
        if (isNamespaceTerminating(err)) {
          queue.forget(key);
          continue;
        }
        queue.addRateLimited(key);
        try {
          onError?.(key, err);
        } catch {
          // A failing error reporter must not stop the worker.
        }
      } finally {
        queue.done(key);
      }
    }
  };

  const n = Math.max(1, Math.floor(opts.workers));
  try {
    await Promise.all(Array.from({ length: n }, worker));
  } finally {
    signal.removeEventListener("abort", stop);
  }
}
