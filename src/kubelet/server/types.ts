// What the kubelet's HTTPS endpoint needs from the rest of the agent: container logs to read, and a
// runtime that prepares exec/attach/port-forward sessions (the CRI answers with a streaming URL).

/** An error the endpoint answers with this HTTP code and a plain-text message, as the kubelet does. */
export class KubeletError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
    this.name = 'KubeletError';
  }
}

export interface LogOptions {
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  /** Milliseconds since the epoch: only messages at or after it. */
  sinceTime?: number;
  limitBytes?: number;
  /** Which streams to include (Kubernetes' `stream` parameter); both by default. */
  stream?: 'All' | 'Stdout' | 'Stderr';
}

export interface LogSource {
  /** The container's log as chunks of text; throws KubeletError when there is none to read. */
  open(namespace: string, pod: string, container: string, opts: LogOptions, signal: AbortSignal): Promise<AsyncIterable<Buffer>>;
}

export interface StreamOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/**
 * Prepares streaming sessions in the container runtime. Each call returns the CRI streaming URL
 * that speaks SPDY remotecommand (exec, attach) or portforward; the endpoint proxies the client's
 * upgraded connection to it. Throws KubeletError for unknown pods or containers.
 */
export interface StreamRuntime {
  exec(namespace: string, pod: string, container: string, cmd: string[], opts: StreamOptions): Promise<string>;
  attach(namespace: string, pod: string, container: string, opts: StreamOptions): Promise<string>;
  portForward(namespace: string, pod: string, ports: number[]): Promise<string>;
}
