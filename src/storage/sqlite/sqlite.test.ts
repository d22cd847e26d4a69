import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBackendConformance } from '../conformance.js';
import { SqliteBackend } from './sqlite.js';

runBackendConformance('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kite-sqlite-'));
  const backend = new SqliteBackend({ path: join(dir, 'state.db') });
  return {
    backend,
    cleanup: async () => {
      await backend.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
