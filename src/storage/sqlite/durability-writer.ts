// Test fixture for durability.test.ts: writes keys as fast as it can (several writers at once, so
// writes share commits) and prints each key only after its write has been acknowledged.
import { SqliteBackend } from './sqlite.js';

const path = process.argv[2];
if (!path) throw new Error('usage: durability-writer <db path>');
const backend = new SqliteBackend({ path });
await backend.start();
let next = 0;
const writer = async (): Promise<never> => {
  for (;;) {
    const i = next++;
    await backend.create(`/durable/${i}`, new TextEncoder().encode(`value-${i}`));
    process.stdout.write(`${i}\n`);
  }
};
await Promise.all([writer(), writer(), writer(), writer()]);
