export function publishedVersionSchema(_crd: Record<string, unknown>, _version: string): Record<string, unknown> {
  return {};
}
