// A request's path and query as `new URL(req.url, base)` gives them, without building a URL for
// the plain paths and queries nearly every request has (the parser is a measurable share of a
// request's cost when clients call in-process).

export interface RequestURL {
  pathname: string;
  searchParams: URLSearchParams;
}

/** Path characters URL leaves as they are; '%' is not among them (`%2e` may make a dot segment). */
const PLAIN_PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$/;
/** Printable ASCII other than '#': URL strips tabs, newlines and edge spaces and drops fragments. */
const PLAIN_QUERY = /^[\x21-\x22\x24-\x7e]*$/;
/** A `.` or `..` segment, which URL resolves away. */
const DOT_SEGMENT = /(^|\/)\.\.?(\/|$)/;

export function parseRequestURL(raw: string): RequestURL {
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const query = q < 0 ? '' : raw.slice(q + 1);
  if (PLAIN_PATH.test(path) && !path.startsWith('//') && !DOT_SEGMENT.test(path) && PLAIN_QUERY.test(query)) {
    return { pathname: path, searchParams: new URLSearchParams(query) };
  }
  const url = new URL(raw, 'https://localhost');
  return { pathname: url.pathname, searchParams: url.searchParams };
}
