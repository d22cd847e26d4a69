// Suites against a real server: one `kite server` per suite, on SQLite and on etcd, and names
// unique within the test process for the objects a test creates.
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ETCD_BIN, startKite, type Datastore, type Kite, type StartOptions } from './server-process.js';

let uniqueCounter = 0;

/** A name unique within this test process (DNS-1123 label friendly). */
export function uniqueName(prefix: string): string {
  uniqueCounter += 1;
  return `${prefix}-${process.pid.toString(36)}-${uniqueCounter}`;
}

export interface SuiteContext {
  readonly datastore: Datastore;
  /** The suite's server (started in `before`, closed in `after`). */
  readonly kite: Kite;
}

/** The stores to run on: both by default; KITE_E2E_STORES=sqlite (or etcd) narrows it during development. */
function selectedStores(): Datastore[] {
  const wanted = (process.env.KITE_E2E_STORES ?? 'sqlite,etcd').split(',').map((s) => s.trim());
  return (['sqlite', 'etcd'] as const).filter((s) => wanted.includes(s));
}

/** Runs `fn`'s tests against a server on `datastore`, sharing one server for the whole suite. */
export function describeWithServer(name: string, datastore: Datastore, fn: (ctx: SuiteContext) => void, start?: Partial<StartOptions>): void {
  describe(name, () => {
    let kite: Kite | undefined;
    const ctx: SuiteContext = {
      datastore,
      get kite(): Kite {
        if (!kite) throw new Error('the kite server did not start (see the before hook failure)');
        return kite;
      },
    };
    before(async () => {
      kite = await startKite({ ...start, datastore });
    });
    after(async () => {
      await kite?.close();
    });
    fn(ctx);
  });
}

/**
 * Runs the suite once against SQLite and once against etcd. Without an etcd binary the etcd run
 * fails when CI is set (so it cannot silently vanish there) and is skipped with a message otherwise.
 */
export function describeBothStores(name: string, fn: (ctx: SuiteContext) => void, start?: Partial<StartOptions>): void {
  for (const datastore of selectedStores()) {
    const title = `${name} [${datastore}]`;
    if (datastore === 'etcd' && !existsSync(ETCD_BIN)) {
      if (process.env.CI) {
        describe(title, () => {
          it('needs an etcd binary', () => {
            throw new Error(`${ETCD_BIN} is missing: the etcd variant of "${name}" cannot run (install etcd-server)`);
          });
        });
      } else {
        describe(title, { skip: `${ETCD_BIN} is not installed; etcd variant skipped` }, () => undefined);
      }
      continue;
    }
    describeWithServer(title, datastore, fn, start);
  }
}

