// Who a verified client certificate names, by the Kubernetes convention: CN = user, O = groups.
import type { PeerCertificate, TLSSocket } from 'node:tls';

export interface CertificateIdentity {
  user: string;
  groups: string[];
}

/** Node gives a repeated attribute as an array and a single one as a string. */
function values(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return typeof v === 'string' ? [v] : [];
}

/**
 * The identity in a peer certificate as `TLSSocket.getPeerCertificate()` returns it, or
 * undefined when there is no certificate or it names no user. Does not check the chain:
 * callers must look at `socket.authorized` (or use `identityFromSocket`).
 */
export function identityFromCertificate(peer: PeerCertificate | Record<string, never> | null | undefined): CertificateIdentity | undefined {
  const subject = (peer as Partial<PeerCertificate> | null | undefined)?.subject as Record<string, unknown> | undefined;
  if (!subject) return undefined;
  const user = values(subject.CN)[0];
  if (!user) return undefined;
  return { user, groups: values(subject.O) };
}

/** The identity of a TLS client whose certificate chains to the server's client CA. */
export function identityFromSocket(socket: TLSSocket): CertificateIdentity | undefined {
  if (!socket.authorized) return undefined;
  return identityFromCertificate(socket.getPeerCertificate());
}
