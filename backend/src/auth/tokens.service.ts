import { randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { jwtVerify, SignJWT } from 'jose';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { sha256Hex } from '../common/digest.js';
import { AppConfig } from '../config/app-config.js';
import { JwtKeys } from '../common/tokens.js';
import { DomainError } from '../common/domain-error.js';
import { PrincipalCache } from './principal-cache.js';
import type { Principal } from './principal.js';
import { RefreshToken } from './refresh-token.entity.js';
import { User, type Role } from './user.entity.js';

const AUDIENCE = 'switchboard-api';
const ISSUER = 'switchboard';

interface AccessClaims {
  sub: string;
  role: Role;
  email: string;
  typ: 'access';
}

export interface TokenPair {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  refresh_expires_in: number;
}

/** Bounds the verified-token memo; past it the memo starts over (a burst of sign-ins, or many users at once). */
const MAX_VERIFIED = 10_000;

export const invalidRefresh = () =>
  new DomainError('unauthenticated', 'invalid_refresh_token', 'The refresh token is invalid, expired or already used; sign in again');

/** Short-lived JWT access tokens (HS256) and opaque, rotating refresh tokens. */
@Injectable()
export class TokensService {
  /**
   * Access tokens already verified, until they expire. HMAC verification through WebCrypto was
   * about 9 % of a registry read's CPU, paid again on every request with the same token.
   */
  private readonly verified = new Map<string, { claims: AccessClaims; key: KeyObject; expiresAt: number }>();

  constructor(
    private readonly config: AppConfig,
    private readonly keys: JwtKeys,
    private readonly principals: PrincipalCache,
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectRepository(RefreshToken) private readonly refreshTokens: Repository<RefreshToken>,
  ) {}

  async issue(manager: EntityManager, user: User, familyId: string = randomUUID()): Promise<TokenPair> {
    const claims: AccessClaims = { sub: user.id, role: user.role, email: user.email, typ: 'access' };
    const refresh = `sbr_${randomBytes(32).toString('base64url')}`;
    await manager.insert(RefreshToken, {
      userId: user.id,
      familyId,
      tokenHash: sha256Hex(refresh),
      expiresAt: new Date(Date.now() + this.config.REFRESH_TOKEN_TTL_SECONDS * 1000),
    });
    return {
      access_token: await new SignJWT({ role: claims.role, email: claims.email, typ: claims.typ })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(claims.sub)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${this.config.ACCESS_TOKEN_TTL_SECONDS}s`)
        .sign(this.keys.signing()),
      token_type: 'Bearer',
      expires_in: this.config.ACCESS_TOKEN_TTL_SECONDS,
      refresh_token: refresh,
      refresh_expires_in: this.config.REFRESH_TOKEN_TTL_SECONDS,
    };
  }

  async verifyAccessToken(token: string): Promise<Principal | undefined> {
    const claims = await this.verify(token);
    if (!claims) return undefined;
    if (claims.typ !== 'access' || typeof claims.sub !== 'string') return undefined;
    // The user's current role and state count, not what the token said when it was issued.
    const sub = claims.sub;
    return this.principals.get(`user:${sub}`, async (): Promise<Principal | undefined> => {
      const user = await this.users.findOne({ where: { id: sub }, select: { id: true, email: true, role: true, isActive: true } });
      if (!user?.isActive) return undefined;
      return { kind: 'user', id: user.id, userId: user.id, email: user.email, role: user.role };
    });
  }

  private async verify(token: string): Promise<AccessClaims | undefined> {
    const known = this.verified.get(token);
    if (known) {
      // Still unexpired, and its key still one the keyring verifies with.
      if (known.expiresAt > Date.now() && this.keys.verifying().includes(known.key)) return known.claims;
      this.verified.delete(token);
    }
    for (const secret of this.keys.verifying()) {
      try {
        const { payload } = await jwtVerify(token, secret, { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE });
        const claims = payload as unknown as AccessClaims;
        if (this.verified.size >= MAX_VERIFIED) this.verified.clear();
        this.verified.set(token, { claims, key: secret, expiresAt: (payload.exp ?? 0) * 1000 });
        return claims;
      } catch {
        // Signed with another key (or invalid): try the next one.
      }
    }
    return undefined;
  }

  /**
   * Trades a refresh token for a new pair. A token presented a second time means it leaked, so
   * the whole family (every token descended from that sign-in) is revoked and `null` returned, so
   * the caller commits the revocation before refusing.
   */
  async rotate(manager: EntityManager, refreshToken: string): Promise<{ user: User; tokens: TokenPair } | null> {
    const row = await manager.findOne(RefreshToken, {
      where: { tokenHash: sha256Hex(refreshToken) },
      lock: { mode: 'pessimistic_write' },
    });
    if (!row || row.revokedAt || row.expiresAt.getTime() <= Date.now()) throw invalidRefresh();
    if (row.usedAt) {
      await this.revokeFamily(manager, row.familyId);
      return null;
    }
    const user = await manager.findOne(User, { where: { id: row.userId } });
    if (!user?.isActive) throw invalidRefresh();
    await manager.update(RefreshToken, { id: row.id }, { usedAt: new Date() });
    return { user, tokens: await this.issue(manager, user, row.familyId) };
  }

  /** Signs out the session the token belongs to; unknown tokens are ignored. */
  async revoke(manager: EntityManager, refreshToken: string): Promise<RefreshToken | null> {
    const row = await manager.findOne(RefreshToken, { where: { tokenHash: sha256Hex(refreshToken) } });
    if (row) await this.revokeFamily(manager, row.familyId);
    return row;
  }

  async revokeAllFor(manager: EntityManager, userId: string): Promise<void> {
    await manager.query('UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL', [userId]);
  }

  private async revokeFamily(manager: EntityManager, familyId: string): Promise<void> {
    await manager.query('UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL', [familyId]);
  }
}
