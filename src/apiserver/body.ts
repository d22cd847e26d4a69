// Reading and decoding request bodies: size limit, JSON or YAML, clear 4xx errors.
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { badRequest, entityTooLarge, unsupportedMediaType } from '../apimachinery/status.js';
import { decodeProtobufBody, PROTOBUF_MEDIA_TYPE } from './protobuf/index.js';
import { mediaType } from './media-types.js';

export { mediaType };

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      req.resume();
      reject(entityTooLarge(`the request body is ${declared} bytes, larger than the limit of ${limit}`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(entityTooLarge(`the request body is larger than the limit of ${limit} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => { if (!failed) resolve(Buffer.concat(chunks)); });
    req.on('error', (e) => { if (!failed) { failed = true; reject(badRequest(`error reading request body: ${e.message}`)); } });
  });
}


const textObjectTypes = ['application/json', 'application/yaml'];
const objectTypes = [...textObjectTypes, PROTOBUF_MEDIA_TYPE];

/** Decodes a create/update body into an object; rejects other media types (and protobuf where `protobuf` is false) with 415. */
export function decodeObject(body: Buffer, type: string, protobuf = true): Record<string, unknown> {
  const accepted = protobuf ? objectTypes : textObjectTypes;
  if (type !== '' && !accepted.includes(type) && type !== 'application/x-yaml' && type !== 'text/yaml') {
    throw unsupportedMediaType(type, accepted);
  }
  if (type === PROTOBUF_MEDIA_TYPE) return decodeProtobufBody(body);
  const value = type === 'application/json' || type === '' ? decodeJSON(body) : decodeYAML(body);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest('the request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/** A DELETE's optional DeleteOptions body, decoded by its media type (typed clients send protobuf); undefined when empty. */
export async function readDeleteOptionsBody(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const body = await readBody(req);
  if (body.toString('latin1').trim() === '') return undefined;
  return decodeObject(body, mediaType(req));
}

export function decodeJSON(body: Buffer): unknown {
  const text = body.toString('utf8');
  if (text.trim() === '') throw badRequest('the request body is empty');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`the request body is not valid JSON: ${(e as Error).message}`);
  }
}

export function decodeYAML(body: Buffer): unknown {
  const text = body.toString('utf8');
  if (text.trim() === '') throw badRequest('the request body is empty');
  try {
    return parseYaml(text, { uniqueKeys: true, maxAliasCount: 100 });
  } catch (e) {
    throw badRequest(`the request body is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
}
