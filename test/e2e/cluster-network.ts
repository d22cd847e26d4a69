// Manifests and probes of the cluster networking e2e (cluster.test.ts): a Deployment of httpd
// answering with its pod name, one replica per node; Services in front of it; client pods; and
// readings of the nodes' kernels through their network namespaces.
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { promisify } from 'node:util';
import { stringify } from 'yaml';

const execFileP = promisify(execFile);

export const WEB_LABELS = { app: 'web' };

/** httpd serving its own pod name at `/`, spread one per node. */
export function webDeployment(replicas: number): string {
  return JSON.stringify({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
    spec: {
      replicas, selector: { matchLabels: WEB_LABELS },
      template: {
        metadata: { labels: WEB_LABELS },
        spec: {
          terminationGracePeriodSeconds: 1,
          affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: WEB_LABELS }, topologyKey: 'kubernetes.io/hostname' }] } },
          containers: [{
            name: 'httpd', image: 'kite.local/httpd:1.35', ports: [{ name: 'http', containerPort: 80 }],
            command: ['sh', '-c', 'echo $HOSTNAME > /www/index.html; exec httpd -f -p 80 -h /www'],
            readinessProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: 1 },
          }],
        },
      },
    },
  });
}

/** The Services in front of the web pods, as one multi-document manifest. */
export function webServices(nodePort: number): string {
  const svc = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: WEB_LABELS, ...spec } });
  return [
    svc('web', { ports: [{ port: 80, targetPort: 80 }] }),
    svc('web-np', { type: 'NodePort', ports: [{ port: 80, targetPort: 80, nodePort }] }),
    svc('web-headless', { clusterIP: 'None', ports: [{ port: 80, targetPort: 80 }] }),
  ].map((doc) => stringify(doc)).join('---\n');
}

/** A busybox pod that waits, on `node`, with `labels`. */
export function clientPod(name: string, node: string, labels: Record<string, string> = {}): string {
  return JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, labels },
    spec: {
      nodeName: node, terminationGracePeriodSeconds: 1,
      containers: [{ name: 'c', image: 'kite.local/busybox:1.35', command: ['sh', '-c', 'echo up; exec sleep 3600'] }],
    },
  });
}

/** Ingress to every pod of the namespace denied. */
export function denyAllIngress(): string {
  return JSON.stringify({
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny' },
    spec: { podSelector: {}, policyTypes: ['Ingress'] },
  });
}

/** The web pods accept port 80 from pods labelled role=client. */
export function allowClients(): string {
  return JSON.stringify({
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'web-from-clients' },
    spec: {
      podSelector: { matchLabels: WEB_LABELS }, policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { role: 'client' } } }], ports: [{ protocol: 'TCP', port: 'http' }] }],
    },
  });
}

/**
 * The shell a client pod runs to fetch `url` `times` times, one line per answer (or `FAIL`). Busybox
 * wget's own -T crashes in Debian's static build, so `timeout` bounds each try.
 */
export function fetchScript(url: string, times = 1, seconds = 3): string {
  return `for i in $(seq ${times}); do timeout ${seconds} wget -qO- ${url} 2>/dev/null || echo FAIL; done`;
}

/** GET http://host:port/ from this host; the body, trimmed. */
export function httpGet(host: string, port: number, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: '/', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => { body += d; }).on('end', () => resolve(body.trim()));
    });
    req.on('timeout', () => req.destroy(new Error(`GET http://${host}:${port}/ timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** The node's ruleset of the service proxy, read in its network namespace. */
export async function proxyRules(netns: string): Promise<string> {
  const { stdout } = await execFileP('nsenter', [`--net=/run/netns/${netns}`, 'nft', 'list', 'table', 'ip', 'kite-proxy']);
  return stdout;
}

/** Kite's nftables tables, routes and loopback addresses on this host: what a cluster must leave as it found. */
export async function hostNetworkState(): Promise<{ tables: string[]; routes: string[]; loopback: string[] }> {
  const lines = async (cmd: string, args: string[]) => (await execFileP(cmd, args)).stdout.split('\n').map((l) => l.trim()).filter(Boolean).sort();
  return {
    tables: (await lines('nft', ['list', 'tables'])).filter((t) => /kite/.test(t)),
    routes: (await lines('ip', ['route', 'show', 'table', 'all'])).filter((r) => /kite|10\.42\.|10\.43\./.test(r)),
    loopback: (await lines('ip', ['-o', 'addr', 'show', 'dev', 'lo'])).filter((a) => /10\.43\./.test(a)),
  };
}
