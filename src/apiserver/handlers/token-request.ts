// serviceaccounts/token: the TokenRequest subresource (authentication.k8s.io/v1), issuing a
// service account token for audiences, a lifetime and optionally a bound Pod or Secret.
import type { KubeObject } from '../../apimachinery/object.js';
import { StatusError, badRequest, conflict, invalid, type FieldError } from '../../apimachinery/status.js';
import { formatTime } from '../../apimachinery/duration.js';
import { readBody, mediaType, decodeObject } from '../body.js';
import { writeObject } from '../response.js';
import type { KubernetesClaim, ServiceAccountTokens } from '../authn/service-account-token.js';
import type { RestRequest } from './context.js';

export const TOKEN_REQUEST_GROUP = 'authentication.k8s.io';
export const DEFAULT_EXPIRATION_SECONDS = 3600;
export const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;

interface BoundObjectReference { kind?: string; apiVersion?: string; name?: string; uid?: string }
interface TokenRequestBody extends KubeObject {
  spec?: { audiences?: string[] | null; expirationSeconds?: number | null; boundObjectRef?: BoundObjectReference | null };
}

function validate(body: TokenRequestBody, expirationSeconds: number): FieldError[] {
  const errs: FieldError[] = [];
  const field = 'spec.expirationSeconds';
  if (!Number.isInteger(expirationSeconds)) {
    errs.push({ type: 'FieldValueInvalid', field, message: `Invalid value: ${JSON.stringify(expirationSeconds)}: must be an integer` });
  } else if (expirationSeconds < MIN_EXPIRATION_SECONDS) {
    errs.push({ type: 'FieldValueInvalid', field, message: `Invalid value: ${expirationSeconds}: may not specify a duration less than 10 minutes` });
  } else if (expirationSeconds > MAX_EXPIRATION_SECONDS) {
    errs.push({ type: 'FieldValueInvalid', field, message: `Invalid value: ${expirationSeconds}: may not specify a duration larger than 2^32 seconds` });
  }
  const audiences = body.spec?.audiences;
  if (audiences != null && (!Array.isArray(audiences) || audiences.some((a) => typeof a !== 'string' || a === ''))) {
    errs.push({ type: 'FieldValueInvalid', field: 'spec.audiences', message: 'Invalid value: must be a list of non-empty strings' });
  }
  return errs;
}

function groupOf(apiVersion: string | undefined): string {
  const v = apiVersion ?? '';
  return v.includes('/') ? v.slice(0, v.indexOf('/')) : '';
}

/** The objects the token is bound to, checked as Kubernetes does. */
async function boundClaims(r: RestRequest, saName: string, ref: BoundObjectReference): Promise<Pick<KubernetesClaim, 'pod' | 'secret' | 'node'>> {
  const namespace = r.info.namespace!;
  const group = groupOf(ref.apiVersion);
  const kind = ref.kind ?? '';
  const refName = ref.name ?? '';
  const get = (plural: string, ns: string | undefined, name: string) => r.registry.lookup('', 'v1', plural)!.get(ns, name);
  let uid: string | undefined;
  let out: Pick<KubernetesClaim, 'pod' | 'secret' | 'node'>;
  if (group === '' && kind === 'Pod') {
    const pod = await get('pods', namespace, refName) as KubeObject & { spec?: { serviceAccountName?: string; nodeName?: string } };
    if ((pod.spec?.serviceAccountName ?? 'default') !== saName) {
      throw badRequest(`cannot bind token for serviceaccount "${saName}" to pod running with different serviceaccount name.`);
    }
    uid = pod.metadata?.uid;
    out = { pod: { name: refName, uid: uid ?? '' } };
    const nodeName = pod.spec?.nodeName;
    if (nodeName) {
      // A node that is gone still leaves its name in the claim.
      const node = await get('nodes', undefined, nodeName).catch((e: unknown) => {
        if (e instanceof StatusError && e.code === 404) return undefined;
        throw e;
      });
      out.node = { name: nodeName, ...(node?.metadata?.uid ? { uid: node.metadata.uid } : {}) };
    }
  } else if (group === '' && kind === 'Secret') {
    const secret = await get('secrets', namespace, refName);
    uid = secret.metadata?.uid;
    out = { secret: { name: refName, uid: uid ?? '' } };
  } else {
    const gvk = `${group ? `${group}/` : ''}${ref.apiVersion?.split('/').pop() ?? ''}, Kind=${kind}`;
    throw badRequest(`cannot bind token for serviceaccount "${saName}" to object of type ${gvk}`);
  }
  if (ref.uid && ref.uid !== uid) {
    throw conflict(group, kind, refName, `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
  }
  return out;
}

export async function createTokenRequest(r: RestRequest, tokens: ServiceAccountTokens | undefined): Promise<void> {
  if (!tokens) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
  const body = decodeObject(await readBody(r.req), mediaType(r.req)) as TokenRequestBody;
  if (body.kind !== undefined && body.kind !== 'TokenRequest') throw badRequest(`expected a TokenRequest, got ${String(body.kind)}`);
  const namespace = r.info.namespace!;
  const name = r.info.name!;
  const requested = body.spec?.expirationSeconds;
  const expirationSeconds = requested == null ? DEFAULT_EXPIRATION_SECONDS : requested;
  const errs = validate(body, expirationSeconds);
  if (errs.length) throw invalid(TOKEN_REQUEST_GROUP, 'TokenRequest', '', errs);

  const sa = await r.registry.lookup('', 'v1', 'serviceaccounts')!.get(namespace, name);
  const ref = body.spec?.boundObjectRef ?? undefined;
  const bound = ref ? await boundClaims(r, name, ref) : {};
  const audiences = body.spec?.audiences?.length ? [...body.spec.audiences] : [...tokens.audiences];
  const claim: KubernetesClaim = { namespace, serviceaccount: { name, uid: sa.metadata?.uid ?? '' }, ...bound };
  const { token, expiresAt, claims } = await tokens.issue(claim, audiences, expirationSeconds);
  writeObject(r.res, 201, {
    kind: 'TokenRequest',
    apiVersion: `${TOKEN_REQUEST_GROUP}/v1`,
    metadata: { name, namespace, uid: sa.metadata?.uid, creationTimestamp: formatTime(claims.iat * 1000) },
    spec: { audiences, expirationSeconds, boundObjectRef: ref ?? null },
    status: { token, expirationTimestamp: formatTime(expiresAt) },
  });
}
