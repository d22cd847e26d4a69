// Ports of probe and hook actions: a number, a numeric string, or the name of a container port.
import type { Container } from 'kubernetes-types/core/v1.js';

export function resolveContainerPort(port: number | string | undefined, container: Container): number {
  let n: number;
  if (typeof port === 'number') {
    n = port;
  } else if (port !== undefined && /^\d+$/.test(port)) {
    n = Number(port);
  } else {
    const named = (container.ports ?? []).find((p) => p.name !== undefined && p.name === port);
    if (!named) throw new Error(`couldn't find port: ${port ?? ''} in container ${container.name}`);
    n = named.containerPort;
  }
  if (!Number.isInteger(n) || n <= 0 || n >= 65536) throw new Error(`invalid port number: ${n}`);
  return n;
}

export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
