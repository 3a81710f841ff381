import type { ActorType } from '../audit/audit-event.entity.js';
import type { Role } from '../auth/user.entity.js';

/** Who is asking, and from where: passed explicitly from controllers to services and the audit log. */
export interface Actor {
  type: ActorType;
  /** The user, or the API key when type is `api_key`. */
  id: string | null;
  /** The user on whose behalf the request runs (an API key's owner). */
  userId: string | null;
  email: string | null;
  role: Role | null;
  /** An API key limited to some models: their ids. Absent: every model. */
  models?: ReadonlySet<string>;
  requestId: string | null;
  ip: string | null;
  userAgent: string | null;
}

export const SYSTEM_ACTOR: Actor = Object.freeze({
  type: 'system',
  id: null,
  userId: null,
  email: null,
  role: null,
  requestId: null,
  ip: null,
  userAgent: null,
});

export function systemActor(requestId: string | null = null): Actor {
  return { ...SYSTEM_ACTOR, requestId };
}
