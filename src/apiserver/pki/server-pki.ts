// The server's certificates: a CA, the apiserver's serving certificate, the admin client
// certificate, the apiserver's client certificate for kubelets and the service account signing
// key, generated once under a directory and reused on later starts.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { createCertificateAuthority, issueCertificate, type CertificateAndKey, type CertificateAuthority } from './certificates.js';
import { ensurePrivateDir, readIfExists, writeFileAtomic } from './files.js';
import { ensureServiceAccountKey } from './service-account-key.js';

export interface ServerPKI {
  caCert: string;
  caKey: string;
  servingCert: string;
  servingKey: string;
  adminCert: string;
  adminKey: string;
  /** The API server's client certificate for the kubelets' HTTPS endpoints (logs, exec, port-forward). */
  kubeletClientCert: string;
  kubeletClientKey: string;
  /** Signs service account tokens (RSA, PKCS#8 PEM); its public half (SPKI PEM) verifies them. */
  serviceAccountKey: string;
  serviceAccountPublicKey: string;
}

export interface ServerPKIOptions {
  /** Extra DNS names for the serving certificate (e.g. the host name). */
  hostnames: string[];
  /** Extra IP addresses for the serving certificate. */
  ips: string[];
}

export const caCommonName = 'kite-ca';
export const servingCommonName = 'kite-apiserver';
export const adminUser = 'system:admin';
export const adminGroup = 'system:masters';
export const kubeletClientCommonName = 'kube-apiserver-kubelet-client';

/** Names every serving certificate carries: what in-cluster clients and kubectl dial. */
export const defaultServingDNSNames = [
  'localhost',
  'kubernetes',
  'kubernetes.default',
  'kubernetes.default.svc',
  'kubernetes.default.svc.cluster.local',
];
export const defaultServingIPs = ['127.0.0.1', '::1'];

/** File names under the PKI directory. */
export const pkiFiles = {
  caCert: 'ca.crt',
  caKey: 'ca.key',
  servingCert: 'apiserver.crt',
  servingKey: 'apiserver.key',
  adminCert: 'admin.crt',
  adminKey: 'admin.key',
  kubeletClientCert: 'apiserver-kubelet-client.crt',
  kubeletClientKey: 'apiserver-kubelet-client.key',
} as const;

/** Leaf certificates this close to expiry are issued anew on start. */
const renewBeforeMs = 30 * 24 * 60 * 60 * 1000;

const certMode = 0o644;
const keyMode = 0o600;

function unique(values: string[]): string[] {
  return [...new Set(values.map((v) => v.trim()).filter((v) => v !== ''))];
}

interface LoadedPair {
  cert: string;
  key: string;
  x509: X509Certificate;
}

async function loadPair(dir: string, certFile: string, keyFile: string): Promise<LoadedPair | undefined> {
  const [cert, key] = await Promise.all([readIfExists(join(dir, certFile)), readIfExists(join(dir, keyFile))]);
  if (cert === undefined || key === undefined) return undefined;
  try {
    const x509 = new X509Certificate(cert);
    if (!x509.checkPrivateKey(createPrivateKey(key))) return undefined;
    return { cert, key, x509 };
  } catch {
    return undefined; // unreadable: issue a new one
  }
}

async function savePair(dir: string, certFile: string, keyFile: string, pair: CertificateAndKey): Promise<void> {
  // Key first: a crash in between leaves a mismatched pair, which the next start replaces.
  await writeFileAtomic(join(dir, keyFile), pair.key, keyMode);
  await writeFileAtomic(join(dir, certFile), pair.cert, certMode);
}

function usableLeaf(leaf: LoadedPair | undefined, ca: X509Certificate, now: number): leaf is LoadedPair {
  if (!leaf) return false;
  if (!leaf.x509.checkIssued(ca) || !leaf.x509.verify(ca.publicKey)) return false;
  return Date.parse(leaf.x509.validTo) - now > renewBeforeMs && Date.parse(leaf.x509.validFrom) <= now;
}

/** True when the certificate names every DNS name and IP address asked for. */
export function coversNames(cert: X509Certificate, dnsNames: string[], ips: string[]): boolean {
  return dnsNames.every((name) => cert.checkHost(name, { subject: 'never', wildcards: false }) !== undefined) &&
    ips.every((ip) => cert.checkIP(ip) !== undefined);
}

/**
 * Loads the server's certificates from `dir`, creating whatever is missing, mismatched, near
 * expiry or (for the serving certificate) not covering the names asked for. A new CA implies
 * new leaves. Private keys are written 0600 and `dir` is made 0700.
 */
export async function ensureServerPKI(dir: string, opts: ServerPKIOptions): Promise<ServerPKI> {
  await ensurePrivateDir(dir);
  const now = Date.now();
  const dnsNames = unique([...defaultServingDNSNames, ...opts.hostnames.map((h) => h.toLowerCase())]);
  const ips = unique([...defaultServingIPs, ...opts.ips]);

  const [loadedCA, loadedServing, loadedAdmin, loadedKubeletClient] = await Promise.all([
    loadPair(dir, pkiFiles.caCert, pkiFiles.caKey),
    loadPair(dir, pkiFiles.servingCert, pkiFiles.servingKey),
    loadPair(dir, pkiFiles.adminCert, pkiFiles.adminKey),
    loadPair(dir, pkiFiles.kubeletClientCert, pkiFiles.kubeletClientKey),
  ]);

  let ca: CertificateAuthority;
  let caX509: X509Certificate;
  if (loadedCA && loadedCA.x509.ca && Date.parse(loadedCA.x509.validTo) > now) {
    ca = { caCert: loadedCA.cert, caKey: loadedCA.key };
    caX509 = loadedCA.x509;
  } else {
    ca = await createCertificateAuthority(caCommonName);
    await savePair(dir, pkiFiles.caCert, pkiFiles.caKey, { cert: ca.caCert, key: ca.caKey });
    caX509 = new X509Certificate(ca.caCert);
  }

  const serving = usableLeaf(loadedServing, caX509, now) && coversNames(loadedServing.x509, dnsNames, ips)
    ? Promise.resolve(loadedServing)
    : issueCertificate(ca, { commonName: servingCommonName, usage: 'server', dnsNames, ips }).then(async (pair) => {
      await savePair(dir, pkiFiles.servingCert, pkiFiles.servingKey, pair);
      return pair;
    });
  const admin = usableLeaf(loadedAdmin, caX509, now)
    ? Promise.resolve(loadedAdmin)
    : issueCertificate(ca, { commonName: adminUser, organizations: [adminGroup], usage: 'client' }).then(async (pair) => {
      await savePair(dir, pkiFiles.adminCert, pkiFiles.adminKey, pair);
      return pair;
    });
  const kubeletClient = usableLeaf(loadedKubeletClient, caX509, now)
    ? Promise.resolve(loadedKubeletClient)
    : issueCertificate(ca, { commonName: kubeletClientCommonName, organizations: [adminGroup], usage: 'client' }).then(async (pair) => {
      await savePair(dir, pkiFiles.kubeletClientCert, pkiFiles.kubeletClientKey, pair);
      return pair;
    });
  const [s, a, k, sa] = await Promise.all([serving, admin, kubeletClient, ensureServiceAccountKey(dir)]);
  // Reused keys too: a copy restored from a backup may have come back wider.
  await Promise.all([pkiFiles.caKey, pkiFiles.servingKey, pkiFiles.adminKey, pkiFiles.kubeletClientKey].map((f) => chmod(join(dir, f), keyMode)));
  return {
    ...ca, servingCert: s.cert, servingKey: s.key, adminCert: a.cert, adminKey: a.key,
    kubeletClientCert: k.cert, kubeletClientKey: k.key,
    serviceAccountKey: sa.privateKey, serviceAccountPublicKey: sa.publicKey,
  };
}

/** Issues a client certificate signed by the server's CA (CN = user, O = groups). */
export async function issueClientCertificate(
  pki: Pick<ServerPKI, 'caCert' | 'caKey'>,
  opts: { commonName: string; organizations?: string[]; validityDays?: number },
): Promise<CertificateAndKey> {
  return issueCertificate(pki, { ...opts, usage: 'client' });
}
