import type { Role } from './user.entity.js';

/** The authenticated caller, attached to the request by the auth guard. */
export interface Principal {
  kind: 'user' | 'api_key';
  /** User id, or API key id for keys. */
  id: string;
  userId: string;
  email: string;
  role: Role;
  /** An API key limited to some models: their ids. Absent: every model. */
  models?: ReadonlySet<string>;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}
