// Certificate signing requests (PKCS#10, PEM): the public key they carry, once their
// self-signature shows the requester holds the private key.
import { createPublicKey } from 'node:crypto';

export class InvalidCSRError extends Error {}

/** The DER SubjectPublicKeyInfo of a verified CSR; ECDSA P-256/P-384, Ed25519 or RSA of 2048+ bits. */
export async function publicKeyFromCSR(pem: string): Promise<ArrayBuffer> {
  const { x509 } = await import('./x509.js');
  let csr: InstanceType<typeof x509.Pkcs10CertificateRequest>;
  try {
    csr = new x509.Pkcs10CertificateRequest(pem);
  } catch {
    throw new InvalidCSRError('not a PEM certificate signing request');
  }
  let verified = false;
  try {
    verified = await csr.verify();
  } catch {
    verified = false;
  }
  if (!verified) throw new InvalidCSRError('the certificate signing request signature does not verify');
  const spki = csr.publicKey.rawData;
  const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  const details = key.asymmetricKeyDetails ?? {};
  const ok = key.asymmetricKeyType === 'ec' ? ['prime256v1', 'secp384r1'].includes(details.namedCurve ?? '')
    : key.asymmetricKeyType === 'rsa' ? (details.modulusLength ?? 0) >= 2048
      : key.asymmetricKeyType === 'ed25519';
  if (!ok) throw new InvalidCSRError(`unsupported public key in the certificate signing request (${key.asymmetricKeyType})`);
  return spki;
}
