// The host-gw backend (flannel's): nodes share an L2 segment, so each peer's podCIDR is routed
// straight to the peer's address; packets cross unencapsulated with their pod source intact.
import { bestEffort, ROUTE_PROTOCOL, type Backend, type LocalNode } from './backend.js';
import type { Peer } from './peers.js';
import type { CommandRunner } from './runner.js';

export class HostGwBackend implements Backend {
  readonly type = 'host-gw' as const;

  constructor(private readonly run: CommandRunner) {}

  async setup(_local: LocalNode): Promise<Record<string, string>> {
    return {};
  }

  async addPeer(peer: Peer): Promise<void> {
    await this.run('ip', ['route', 'replace', peer.podCIDR, 'via', peer.ip, 'proto', ROUTE_PROTOCOL]);
  }

  async removePeer(peer: Peer): Promise<void> {
    await bestEffort(this.run, 'ip', ['route', 'del', peer.podCIDR, 'via', peer.ip, 'proto', ROUTE_PROTOCOL]);
  }

  async cleanup(): Promise<void> {
    await bestEffort(this.run, 'ip', ['route', 'flush', 'proto', ROUTE_PROTOCOL]);
  }
}
