// exec, attach and port-forward for the kubelet's endpoint: find the pod's running container (or
// ready sandbox) in the runtime and ask the CRI for a streaming URL.
import { KubeletError, type StreamOptions, type StreamRuntime } from '../server/types.js';
import type { RuntimeManager } from './manager.js';

export class CriStreams implements StreamRuntime {
  /** `podUid` finds the UID of a pod bound here, or undefined. */
  constructor(private readonly runtime: RuntimeManager, private readonly podUid: (namespace: string, name: string) => string | undefined) {}

  private uid(namespace: string, pod: string): string {
    const uid = this.podUid(namespace, pod);
    if (!uid) throw new KubeletError(404, `pod does not exist`);
    return uid;
  }

  private async running(namespace: string, pod: string, container: string): Promise<string> {
    const state = await this.runtime.podState(this.uid(namespace, pod));
    const c = state.containers.find((x) => x.name === container);
    if (!c) throw new KubeletError(404, `container ${container} is not valid for pod ${pod}`);
    if (c.state !== 'running') throw new KubeletError(400, `container ${container} is not running`);
    return c.id;
  }

  async exec(namespace: string, pod: string, container: string, cmd: string[], o: StreamOptions): Promise<string> {
    const containerId = await this.running(namespace, pod, container);
    const r = await this.runtime.cri.runtime.exec({ containerId, cmd, tty: o.tty, stdin: o.stdin, stdout: o.stdout, stderr: o.stderr && !o.tty });
    return r.url;
  }

  async attach(namespace: string, pod: string, container: string, o: StreamOptions): Promise<string> {
    const containerId = await this.running(namespace, pod, container);
    const r = await this.runtime.cri.runtime.attach({ containerId, tty: o.tty, stdin: o.stdin, stdout: o.stdout, stderr: o.stderr && !o.tty });
    return r.url;
  }

  async portForward(namespace: string, pod: string, ports: number[]): Promise<string> {
    const state = await this.runtime.podState(this.uid(namespace, pod));
    const sb = state.sandboxes.find((s) => s.ready);
    if (!sb) throw new KubeletError(404, `pod ${pod} has no running sandbox`);
    const r = await this.runtime.cri.runtime.portForward({ podSandboxId: sb.id, port: ports });
    return r.url;
  }
}
