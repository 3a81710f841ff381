import { HttpErrorResponse } from '@angular/common/http';
import { computed, Injectable, inject, OnDestroy, signal } from '@angular/core';
import { Router } from '@angular/router';
import { Api } from '../../api/api';
import { login } from '../../api/fn/auth/login';
import { logout } from '../../api/fn/auth/logout';
import { refresh } from '../../api/fn/auth/refresh';
import type { LoginRequest, TokenResponse, UserResponse } from '../../api/models';
import { REFRESH_TOKEN_KEY, REFRESH_TOKEN_STORAGE } from './refresh-token.store';
import { anonymous, withoutRenewal } from './session-context';

interface ActiveSession {
  user: UserResponse;
  accessToken: string;
  expiresAt: number;
}

/** `unreachable`: the server could not answer (network, 5xx); the refresh token may still be good. */
export type RenewalOutcome = 'renewed' | 'rejected' | 'unreachable';

// Renew a minute before expiry, or a fifth of the lifetime for short-lived tokens.
const MAX_RENEWAL_MARGIN_MS = 60_000;
const RETRY_UNREACHABLE_MS = 15_000;

/**
 * Who is signed in, and their tokens. The access token lives only in memory; the refresh token is
 * kept in REFRESH_TOKEN_STORAGE so a reload resumes the session.
 */
@Injectable({ providedIn: 'root' })
export class SessionService implements OnDestroy {
  private readonly api = inject(Api);
  private readonly router = inject(Router);
  private readonly storage = inject(REFRESH_TOKEN_STORAGE);

  private readonly current = signal<ActiveSession | null>(null);
  private pendingRenewal: Promise<RenewalOutcome> | null = null;
  private renewalTimer: ReturnType<typeof setTimeout> | undefined;

  readonly user = computed(() => this.current()?.user ?? null);
  readonly role = computed(() => this.user()?.role ?? null);
  readonly signedIn = computed(() => this.current() !== null);
  /** Auditors see the registry and the audit trail but change nothing. */
  readonly readOnly = computed(() => this.role() === 'auditor');

  accessToken(): string | null {
    return this.current()?.accessToken ?? null;
  }

  /** Rejects with the API's HttpErrorResponse (problem+json) when the credentials are refused. */
  async signIn(credentials: LoginRequest): Promise<UserResponse> {
    const tokens = await this.api.invoke(login, { body: credentials }, anonymous());
    this.start(tokens);
    return tokens.user;
  }

  /** At start-up: a refresh token left by this tab (a reload) resumes its session. */
  async restore(): Promise<void> {
    if (this.storage.getItem(REFRESH_TOKEN_KEY)) await this.renew();
  }

  /**
   * Trades the refresh token for a new pair. Callers at the same moment share one exchange: a
   * refresh token works once, and presenting it twice revokes the session on the server.
   */
  renew(): Promise<RenewalOutcome> {
    this.pendingRenewal ??= this.exchangeRefreshToken().finally(() => (this.pendingRenewal = null));
    return this.pendingRenewal;
  }

  async signOut(): Promise<void> {
    const refreshToken = this.storage.getItem(REFRESH_TOKEN_KEY);
    if (refreshToken && this.signedIn()) {
      try {
        await this.api.invoke(logout, { body: { refresh_token: refreshToken } }, withoutRenewal());
      } catch {
        // Signing out ends the session here whatever the server answers.
      }
    }
    this.clear();
    await this.router.navigateByUrl('/sign-in');
  }

  /** The API refused us and renewal cannot help: back to sign in, and then back to this page. */
  expire(): void {
    const wasActive = this.signedIn();
    const returnUrl = this.router.url;
    this.clear();
    if (wasActive && !returnUrl.startsWith('/sign-in')) {
      void this.router.navigate(['/sign-in'], { queryParams: { reason: 'expired', returnUrl } });
    }
  }

  ngOnDestroy(): void {
    clearTimeout(this.renewalTimer);
  }

  private async exchangeRefreshToken(): Promise<RenewalOutcome> {
    const refreshToken = this.storage.getItem(REFRESH_TOKEN_KEY);
    if (!refreshToken) {
      this.expire();
      return 'rejected';
    }
    try {
      this.start(await this.api.invoke(refresh, { body: { refresh_token: refreshToken } }, anonymous()));
      return 'renewed';
    } catch (error) {
      if (isUnreachable(error)) return 'unreachable';
      this.expire();
      return 'rejected';
    }
  }

  private start(tokens: TokenResponse): void {
    this.storage.setItem(REFRESH_TOKEN_KEY, tokens.refresh_token);
    const lifetimeMs = tokens.expires_in * 1000;
    this.current.set({ user: tokens.user, accessToken: tokens.access_token, expiresAt: Date.now() + lifetimeMs });
    this.scheduleRenewal(lifetimeMs - Math.min(MAX_RENEWAL_MARGIN_MS, lifetimeMs / 5));
  }

  private scheduleRenewal(delayMs: number): void {
    clearTimeout(this.renewalTimer);
    this.renewalTimer = setTimeout(
      async () => {
        // A network blip must not sign anyone out: try again shortly while the session lasts.
        if ((await this.renew()) === 'unreachable' && this.signedIn()) this.scheduleRenewal(RETRY_UNREACHABLE_MS);
      },
      Math.max(delayMs, 0),
    );
  }

  private clear(): void {
    clearTimeout(this.renewalTimer);
    this.current.set(null);
    this.storage.removeItem(REFRESH_TOKEN_KEY);
  }
}

function isUnreachable(error: unknown): boolean {
  return error instanceof HttpErrorResponse && (error.status === 0 || error.status >= 500);
}
