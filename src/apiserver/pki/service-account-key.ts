// The key pair that signs service account tokens (RS256), generated once beside the CA.
import { createPrivateKey, createPublicKey, generateKeyPair } from 'node:crypto';
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readIfExists, writeFileAtomic } from './files.js';

export interface ServiceAccountKeyPair {
  /** PKCS#8 PEM. */
  privateKey: string;
  /** SPKI PEM. */
  publicKey: string;
}

export const serviceAccountKeyFiles = { privateKey: 'service-account.key', publicKey: 'service-account.pub' } as const;

const keyMode = 0o600;

/** An RSA 2048 pair as PEM (PKCS#8 private, SPKI public). */
export async function generateServiceAccountKey(): Promise<ServiceAccountKeyPair> {
  const { privateKey, publicKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  return {
    privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKey: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}

function usable(privatePem: string | undefined): ServiceAccountKeyPair | undefined {
  if (privatePem === undefined) return undefined;
  try {
    const key = createPrivateKey(privatePem);
    if (key.asymmetricKeyType !== 'rsa') return undefined;
    return { privateKey: privatePem, publicKey: createPublicKey(key).export({ format: 'pem', type: 'spki' }).toString() };
  } catch {
    return undefined;
  }
}

/**
 * Loads the signing key from `dir` or creates it. The public key file is rewritten from the
 * private one, so the two always match. Both files are 0600.
 */
export async function ensureServiceAccountKey(dir: string): Promise<ServiceAccountKeyPair> {
  const privatePath = join(dir, serviceAccountKeyFiles.privateKey);
  const publicPath = join(dir, serviceAccountKeyFiles.publicKey);
  let pair = usable(await readIfExists(privatePath));
  if (!pair) {
    pair = await generateServiceAccountKey();
    await writeFileAtomic(privatePath, pair.privateKey, keyMode);
  }
  if (await readIfExists(publicPath) !== pair.publicKey) await writeFileAtomic(publicPath, pair.publicKey, keyMode);
  await Promise.all([chmod(privatePath, keyMode), chmod(publicPath, keyMode)]);
  return pair;
}
