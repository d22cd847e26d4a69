// Presence as Go sees an optional pointer field: neither missing nor null.

export function isSet<T>(v: T | undefined | null): v is T {
  return v !== undefined && v !== null;
}
