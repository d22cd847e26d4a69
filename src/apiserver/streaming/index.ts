// The pods' streaming subresources (log, exec, attach, portforward), served through the kubelet
// of the pod's node.
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { badRequest, methodNotAllowed } from '../../apimachinery/status.js';
import type { RestRequest } from '../handlers/context.js';
import { isTrue } from '../request-info.js';
import { kubeletTarget, kubeletUpgrade, type KubeletTarget } from './kubelet-client.js';
import { kubeletLogQuery, streamLogs } from './logs.js';
import { podContainer, podNode } from './pod-container.js';
import { tunnelPortForward, translatePortForward } from './portforward.js';
import { translateRemoteCommand } from './remotecommand.js';
import { headerList, upgradeOf, upgradeProtocol } from './upgrade.js';
import { acceptWebSocket, pickSubprotocol } from './websocket.js';

export { acceptUpgrades } from './upgrade.js';
export { configureKubeletClient, type KubeletClientConfig } from './kubelet-client.js';

type Obj = Record<string, any>;

const seg = encodeURIComponent;
const REMOTECOMMAND_WS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const PORTFORWARD_TUNNEL = 'SPDY/3.1+portforward.k8s.io';
const PORTFORWARD_WS = [PORTFORWARD_TUNNEL, 'v4.channel.k8s.io', 'portforward.k8s.io'];

export async function serveNodeStream(r: RestRequest, sub: string): Promise<void> {
  const { info, query: q } = r;
  const pod = await r.store.get(info.namespace, info.name!) as Obj;
  const ns = seg(info.namespace ?? '');
  const name = seg(info.name!);
  switch (sub) {
    case 'log': {
      if (r.req.method !== 'GET') throw methodNotAllowed();
      const container = podContainer(pod, q.get('container'));
      const kq = kubeletLogQuery(q, info.name!);
      const target = await kubeletTarget(r.registry, podNode(pod));
      const qs = kq.toString();
      return streamLogs(r.res, target, `/containerLogs/${ns}/${name}/${seg(container)}${qs ? `?${qs}` : ''}`);
    }
    case 'exec':
    case 'attach': {
      if (r.req.method !== 'GET' && r.req.method !== 'POST') throw methodNotAllowed();
      const container = podContainer(pod, q.get('container'));
      const streams = { stdin: isTrue(q.get('stdin')), stdout: isTrue(q.get('stdout')), stderr: isTrue(q.get('stderr')), tty: isTrue(q.get('tty')) };
      const command = q.getAll('command');
      if (sub === 'exec' && !command.length) throw badRequest('you must specify at least 1 command');
      if (!streams.stdin && !streams.stdout && !streams.stderr) throw badRequest('you must specify at least 1 of stdin, stdout, stderr');
      const kq = new URLSearchParams();
      for (const c of command) kq.append('command', c);
      if (streams.stdin) kq.set('input', '1');
      if (streams.stdout) kq.set('output', '1');
      if (streams.stderr && !streams.tty) kq.set('error', '1');
      if (streams.tty) kq.set('tty', '1');
      const path = `/${sub}/${ns}/${name}/${seg(container)}?${kq}`;
      return upgradeTo(r, podNode(pod), path, async (ws, protocol, kubelet) => translateRemoteCommand(ws, protocol, kubelet, streams), REMOTECOMMAND_WS, ['v4.channel.k8s.io']);
    }
    case 'portforward': {
      if (r.req.method !== 'GET' && r.req.method !== 'POST') throw methodNotAllowed();
      const ports = q.getAll('ports').flatMap((p) => p.split(',')).filter(Boolean).map(Number);
      if (ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) throw badRequest(`invalid port in "${q.getAll('ports').join(',')}"`);
      const kq = new URLSearchParams();
      for (const p of ports) kq.append('port', String(p));
      const path = `/portForward/${ns}/${name}${ports.length ? `?${kq}` : ''}`;
      return upgradeTo(r, podNode(pod), path, async (ws, protocol, kubelet) => {
        if (protocol === PORTFORWARD_TUNNEL) return tunnelPortForward(ws, kubelet);
        if (!ports.length) throw badRequest('query parameter "ports" is required');
        return translatePortForward(ws, kubelet, ports);
      }, PORTFORWARD_WS, ['portforward.k8s.io'], (protocol) => protocol !== PORTFORWARD_TUNNEL && !ports.length ? 'query parameter "ports" is required' : undefined);
    }
    default:
      throw badRequest(`unsupported subresource ${sub}`);
  }
}

type Session = (ws: WebSocket, protocol: string, kubelet: Duplex) => Promise<void>;

/**
 * A SPDY client is joined to the kubelet as it is (protocols negotiated end to end); a WebSocket
 * client gets `session`, with the kubelet's connection upgraded to SPDY offering `kubeletProtocols`.
 */
async function upgradeTo(r: RestRequest, node: string, path: string, session: Session, wsProtocols: string[], kubeletProtocols: string[], precheck?: (protocol: string) => string | undefined): Promise<void> {
  const up = upgradeOf(r.req);
  const kind = upgradeProtocol(r.req);
  if (!up || !kind) throw badRequest('Upgrade request required');
  if (kind === 'spdy') {
    const target = await kubeletTarget(r.registry, node);
    const k = await kubeletUpgrade(target, 'POST', path, {
      Upgrade: String(r.req.headers.upgrade),
      'X-Stream-Protocol-Version': headerList(r.req, 'x-stream-protocol-version'),
    });
    return joinSpdy(up.socket, up.head, k.res.rawHeaders, k.socket);
  }
  const protocol = pickSubprotocol(r.req, wsProtocols);
  const problem = precheck?.(protocol);
  if (problem) throw badRequest(problem);
  const target: KubeletTarget = await kubeletTarget(r.registry, node);
  const k = await kubeletUpgrade(target, 'POST', path, { Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': protocol === 'SPDY/3.1+portforward.k8s.io' ? ['portforward.k8s.io'] : kubeletProtocols });
  const ws = await acceptWebSocket(r.req, up, protocol);
  await session(ws, protocol, k.socket);
}

function joinSpdy(client: Duplex, head: Buffer, rawHeaders: string[], kubelet: Duplex): void {
  const lines = ['HTTP/1.1 101 Switching Protocols'];
  for (let i = 0; i < rawHeaders.length; i += 2) lines.push(`${rawHeaders[i]}: ${rawHeaders[i + 1]}`);
  client.write(lines.join('\r\n') + '\r\n\r\n');
  if (head.length) kubelet.write(head);
  // When one side closes the other is ended, not destroyed: the session's last frames still arrive.
  kubelet.pipe(client);
  client.pipe(kubelet);
  kubelet.on('error', () => client.destroy());
  client.on('error', () => kubelet.destroy());
  kubelet.on('close', () => client.end());
  client.on('close', () => kubelet.end());
}
