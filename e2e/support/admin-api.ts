import { ACCOUNTS } from './accounts.js';

type Body = NonNullable<RequestInit['body']>;

/**
 * A small client, as the admin, for setting up what a flow does not test through the console
 * (upstreams, models, fixtures). JSON bodies are serialised; form data is sent as it is.
 */
export async function adminApi(baseURL: string) {
  const login = await fetch(`${baseURL}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: ACCOUNTS.admin.email, password: ACCOUNTS.admin.password }),
  });
  const { access_token } = (await login.json()) as { access_token: string };
  return async <T>(method: string, path: string, body?: Body | object): Promise<T> => {
    const json = body !== undefined && !(body instanceof FormData);
    const response = await fetch(`${baseURL}${path}`, {
      method,
      headers: { authorization: `Bearer ${access_token}`, ...(json ? { 'content-type': 'application/json' } : {}) },
      body: json ? JSON.stringify(body) : (body as Body | undefined),
    });
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  };
}
