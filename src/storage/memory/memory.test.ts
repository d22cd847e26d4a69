import { runBackendConformance } from '../conformance.js';
import { MemoryBackend } from './memory.js';

runBackendConformance('memory', async () => {
  const backend = new MemoryBackend();
  return { backend, cleanup: () => backend.close() };
});
