import type { TokenResponse, UserResponse } from '../app/api/models';
import type { Role } from '../app/core/auth/roles';

// Test data shaped by the generated DTOs, so a contract change breaks the tests that depend on it.

export function aUser(role: Role = 'admin', overrides: Partial<UserResponse> = {}): UserResponse {
  return {
    id: '5f0c6f2e-1b7e-4c39-9a55-0f0b7a1d2c3e',
    email: `${role}@example.com`,
    display_name: `Ada ${role[0].toUpperCase()}${role.slice(1)}`,
    role,
    is_active: true,
    last_login_at: null,
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

let issued = 0;

/** A fresh token pair each call (`access-1`/`refresh-1`, then `-2`…), like the rotating API. */
export function aTokenResponse(user: UserResponse = aUser(), expiresIn = 900): TokenResponse {
  issued++;
  return {
    access_token: `access-${issued}`,
    token_type: 'Bearer',
    expires_in: expiresIn,
    refresh_token: `refresh-${issued}`,
    refresh_expires_in: 604_800,
    user,
  };
}

export function resetIssuedTokens(): void {
  issued = 0;
}

/** An application/problem+json body as the API sends it. */
export function aProblem(status: number, detail: string, errors?: { field: string; message: string }[]) {
  return {
    type: `urn:switchboard:problem:${status}`,
    title: 'Problem',
    status,
    detail,
    code: 'test_problem',
    request_id: '00000000-0000-0000-0000-000000000000',
    ...(errors ? { errors } : {}),
  };
}
