export { ensureServerPKI, issueClientCertificate, coversNames, pkiFiles, defaultServingDNSNames, defaultServingIPs, adminUser, adminGroup } from './server-pki.js';
export type { ServerPKI, ServerPKIOptions } from './server-pki.js';
export type { CertificateAndKey } from './certificates.js';
export { writeKubeconfig, renderKubeconfig } from './kubeconfig.js';
export type { KubeconfigOptions } from './kubeconfig.js';
export { identityFromCertificate, identityFromSocket } from './identity.js';
export type { CertificateIdentity } from './identity.js';
