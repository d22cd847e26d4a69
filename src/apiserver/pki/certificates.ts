// Issuing ECDSA P-256 certificates: a self-signed CA and leaves signed by it, all as PEM
// (keys as PKCS#8 "PRIVATE KEY").
import { KeyObject, createPrivateKey, randomBytes, webcrypto } from 'node:crypto';

const keyAlgorithm = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const signingAlgorithm = { name: 'ECDSA', hash: 'SHA-256' } as const;
const dayMs = 24 * 60 * 60 * 1000;
/** Backdating tolerates clocks a little behind ours. */
const backdateMs = 5 * 60 * 1000;

export interface CertificateAndKey {
  cert: string;
  key: string;
}

export interface CertificateAuthority {
  caCert: string;
  caKey: string;
}

export interface LeafCertificateOptions {
  commonName: string;
  organizations?: string[];
  usage: 'server' | 'client';
  dnsNames?: string[];
  ips?: string[];
  validityDays?: number;
}

async function loadX509() {
  return (await import('./x509.js')).x509;
}

async function generateKeys(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(keyAlgorithm, true, ['sign', 'verify']);
}

function privateKeyPem(key: webcrypto.CryptoKey): string {
  return KeyObject.from(key).export({ format: 'pem', type: 'pkcs8' }).toString();
}

async function importSigningKey(pem: string): Promise<webcrypto.CryptoKey> {
  const der = createPrivateKey(pem).export({ format: 'der', type: 'pkcs8' });
  return webcrypto.subtle.importKey('pkcs8', der, keyAlgorithm, false, ['sign']);
}

/** A positive serial of 128 random bits, hex. */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('hex');
}

function validity(days: number): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return { notBefore: new Date(now - backdateMs), notAfter: new Date(now + days * dayMs) };
}

export async function createCertificateAuthority(commonName: string, validityDays = 3650): Promise<CertificateAuthority> {
  const x509 = await loadX509();
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: [{ CN: [commonName] }],
    keys,
    signingAlgorithm,
    ...validity(validityDays),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { caCert: cert.toString('pem'), caKey: privateKeyPem(keys.privateKey) };
}

export async function issueCertificate(ca: CertificateAuthority, opts: LeafCertificateOptions): Promise<CertificateAndKey> {
  const keys = await generateKeys();
  const cert = await issueCertificateForKey(ca, opts, keys.publicKey);
  return { cert, key: privateKeyPem(keys.privateKey) };
}

/**
 * Signs a certificate for a public key held elsewhere (e.g. taken from a verified certificate
 * signing request): a CryptoKey, or a DER SubjectPublicKeyInfo. Answers the certificate PEM.
 */
export async function issueCertificateForKey(
  ca: CertificateAuthority,
  opts: LeafCertificateOptions,
  publicKey: webcrypto.CryptoKey | ArrayBuffer,
): Promise<string> {
  const x509 = await loadX509();
  const caKey = await importSigningKey(ca.caKey);
  const caCert = new x509.X509Certificate(ca.caCert);
  const subject = [...(opts.organizations ?? []).map((o) => ({ O: [o] })), { CN: [opts.commonName] }];
  const extensions: InstanceType<typeof x509.Extension>[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension([opts.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
    await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
  ];
  const altNames = [
    ...(opts.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(opts.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  if (altNames.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(altNames));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject,
    issuer: caCert.subjectName,
    publicKey,
    signingKey: caKey,
    signingAlgorithm,
    ...validity(opts.validityDays ?? 365),
    extensions,
  });
  return cert.toString('pem');
}
