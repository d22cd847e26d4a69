export { RequestAuthenticator, bearerToken, AUTHENTICATED_GROUP, SERVICE_ACCOUNTS_GROUP } from './authenticator.js';
export { ServiceAccountTokens, DEFAULT_ISSUER, serviceAccountUser, keyID } from './service-account-token.js';
export type { KubernetesClaim, ServiceAccountTokenClaims, ServiceAccountTokenOptions, BoundObject } from './service-account-token.js';
export { TokenCache } from './token-cache.js';
export type { ServerIdentityOptions } from './options.js';
