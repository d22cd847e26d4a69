// Where the node agent keeps its state under `<data-dir>/agent`. One table, so the containerd
// supervisor, the image importer, the kubelet's pod workers, volumes and logs agree on it and
// `kite` can clean up after itself.
import { join } from 'node:path';

export interface AgentPaths {
  /** `<data-dir>/agent` */
  root: string;
  /** The agent's client credentials (node identity), kept across restarts. */
  credentials: string;
  /** containerd: generated config, its root and state dirs, and its socket. */
  containerd: { dir: string; config: string; root: string; state: string; socket: string; log: string };
  /** CNI configuration written by the agent (the plugins come from Debian's /usr/lib/cni). */
  cniConfDir: string;
  /** Image archives (OCI or docker) imported at start. */
  images: string;
  /** Per-pod kubelet state: `pods/<uid>/volumes/<plugin>/<volume>`, `pods/<uid>/containers/…`. */
  pods: string;
  /** Container logs: `logs/<namespace>_<name>_<uid>/<container>/<restartCount>.log`, CRI format. */
  logs: string;
  /** Volumes provisioned by the built-in local-path StorageClass. */
  localPath: string;
}

export function agentPaths(dataDir: string): AgentPaths {
  const root = join(dataDir, 'agent');
  const cd = join(root, 'containerd');
  return {
    root,
    credentials: join(root, 'credentials'),
    containerd: {
      dir: cd,
      config: join(cd, 'config.toml'),
      root: join(cd, 'root'),
      state: join(cd, 'state'),
      socket: join(cd, 'containerd.sock'),
      log: join(cd, 'containerd.log'),
    },
    cniConfDir: join(root, 'cni', 'net.d'),
    images: join(root, 'images'),
    pods: join(root, 'pods'),
    logs: join(root, 'logs'),
    localPath: join(root, 'storage'),
  };
}

/** `pods/<uid>` */
export function podDir(paths: AgentPaths, podUid: string): string {
  return join(paths.pods, podUid);
}

/** `pods/<uid>/volumes/<plugin>/<volume>`; plugin names as Kubernetes' (`kubernetes.io~empty-dir`). */
export function podVolumeDir(paths: AgentPaths, podUid: string, plugin: string, volume: string): string {
  return join(paths.pods, podUid, 'volumes', plugin, volume);
}

/** The pod's log directory, named as the kubelet names it under /var/log/pods. */
export function podLogDir(paths: AgentPaths, namespace: string, name: string, podUid: string): string {
  return join(paths.logs, `${namespace}_${name}_${podUid}`);
}

/** Relative to the pod's log directory, as CRI's `log_path` wants it. */
export function containerLogPath(container: string, restartCount: number): string {
  return join(container, `${restartCount}.log`);
}

/** Image names of the images Kite builds for itself. */
export const PAUSE_IMAGE = 'kite.local/pause:1.0';
export const BUSYBOX_IMAGE = 'kite.local/busybox:1.35';
export const HTTPD_IMAGE = 'kite.local/httpd:1.35';
