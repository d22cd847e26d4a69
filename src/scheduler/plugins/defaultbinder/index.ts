// DefaultBinder: binds the pod by creating its `binding` subresource through the API.
import type { Binding, Pod } from 'kubernetes-types/core/v1.js';
import type { ApiClient } from '../../../client/rest.js';
import type { BindPlugin, Handle, PluginFactory } from '../../framework/interface.js';
import { Status } from '../../framework/status.js';
import type { CycleState } from '../../framework/types.js';

export const NAME = 'DefaultBinder';

export function bindingFor(pod: Pod, nodeName: string): Binding {
  return {
    apiVersion: 'v1',
    kind: 'Binding',
    metadata: { namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid },
    target: { kind: 'Node', name: nodeName },
  };
}

export class DefaultBinder implements BindPlugin {
  readonly name = NAME;

  constructor(private readonly handle: Pick<Handle, 'client'>) {}

  async bind(_state: CycleState, pod: Pod, nodeName: string): Promise<Status> {
    const client: ApiClient = this.handle.client;
    try {
      await client.kind('v1', 'Pod').subresource('POST', pod.metadata?.namespace, pod.metadata?.name ?? '', 'binding', bindingFor(pod, nodeName));
      return Status.success();
    } catch (err) {
      return Status.error(err instanceof Error ? err.message : String(err));
    }
  }
}

export const newDefaultBinder: PluginFactory = (_args, handle) => new DefaultBinder(handle);
