export {
  API_KEY_PREFIX,
  generateApiKey,
  parseApiKey,
  verifyApiKeySecret,
  type GeneratedApiKey,
} from './api-keys';
export { AuthConfigError, InvalidToken, WeakPassword, type InvalidTokenReason } from './errors';
export {
  generatePassword,
  hashPassword,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  validateNewPassword,
  verifyPassword,
} from './passwords';
export { RateLimiter, type RateLimitDecision, type RateLimiterOptions } from './rate-limiter';
export {
  actorOf,
  can,
  isRole,
  organisationsWhere,
  roleAtLeast,
  roleIn,
  Roles,
  type Principal,
  type Role,
} from './roles';
export {
  createLocalTokenIssuer,
  createOidcVerifier,
  createTokenVerifier,
  LOCAL_SECRET_MIN_LENGTH,
  MAX_TOKEN_LENGTH,
  type LocalTokenIssuer,
  type LocalTokenIssuerOptions,
  type OidcVerifierOptions,
  type TokenVerifier,
  type VerifiedToken,
} from './tokens';
