// Controllers start work only once their informers have listed; a stop during the wait is not
// an error.
import type { InformerFactory } from './informer-types.js';

/** True once every informer has synced; false if `signal` aborts first. */
export async function cachesSynced(informers: InformerFactory, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  try {
    await informers.waitForSync(signal);
    return true;
  } catch (e) {
    if (signal.aborted) return false;
    throw e;
  }
}
