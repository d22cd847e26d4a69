// @peculiar/x509 over Node's webcrypto. Loaded lazily (it costs ~100 ms): only when a
// certificate must be generated, never when the files on disk are reused.
import './reflect-metadata.js';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export { x509 };
