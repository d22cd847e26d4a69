// What /version reports: Kubernetes 1.32 compatibility, with Kite's own build as metadata.

export const KUBERNETES_VERSION = { major: '1', minor: '32', patch: '0' };
export const KITE_VERSION = '0.1.0';

export function versionInfo(): Record<string, string> {
  const { major, minor, patch } = KUBERNETES_VERSION;
  return {
    major,
    minor,
    gitVersion: `v${major}.${minor}.${patch}+kite${KITE_VERSION}`,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-11-21T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'tsc',
    platform: `${process.platform === 'win32' ? 'windows' : process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}
