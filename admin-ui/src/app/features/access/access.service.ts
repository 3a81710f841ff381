import { computed, inject, Injectable, resource, signal } from '@angular/core';
import { Api } from '../../api/api';
import { createApiKey } from '../../api/fn/api-keys/create-api-key';
import { listApiKeys } from '../../api/fn/api-keys/list-api-keys';
import { listModels } from '../../api/fn/models/list-models';
import { revokeApiKey } from '../../api/fn/api-keys/revoke-api-key';
import { createUser } from '../../api/fn/users/create-user';
import { deleteUser } from '../../api/fn/users/delete-user';
import { listUsers, ListUsers$Params } from '../../api/fn/users/list-users';
import { updateUser } from '../../api/fn/users/update-user';
import type {
  ApiKeyResponse,
  CreateApiKeyRequest,
  ModelResponse,
  CreatedApiKeyResponse,
  CreateUserRequest,
  UpdateUserRequest,
  UserPage,
  UserResponse,
} from '../../api/models';
import { SessionService } from '../../core/auth/session.service';
import { latestValue, loadError } from '../../shared/latest';

export type UserQuery = Required<Pick<ListUsers$Params, 'page' | 'page_size'>> & Pick<ListUsers$Params, 'search' | 'role'>;

/** Whose keys the keys list shows: the signed-in user's, everyone's (admins), or one user's (admins). */
export type KeyOwner = { kind: 'mine' } | { kind: 'all' } | { kind: 'user'; id: string; email: string };

const EMPTY_USERS: UserPage = { items: [], page: 1, page_size: 20, total: 0 };

/** Users (admins only) and API keys (everyone: their own; admins: anyone's). One instance per page. */
@Injectable()
export class AccessService {
  private readonly api = inject(Api);
  private readonly session = inject(SessionService);

  readonly isAdmin = computed(() => this.session.role() === 'admin');
  readonly me = this.session.user;

  readonly userQuery = signal<UserQuery>({ page: 1, page_size: 20 });
  private readonly usersResource = resource({
    // Members may not list users: the resource stays idle for them.
    params: () => (this.isAdmin() ? this.userQuery() : undefined),
    loader: ({ params }) => this.api.invoke(listUsers, params),
  });
  readonly users = latestValue(this.usersResource, EMPTY_USERS);
  readonly usersLoading = this.usersResource.isLoading;
  readonly usersLoaded = computed(() => this.usersResource.hasValue() || this.usersResource.status() === 'error');
  readonly usersError = loadError(this.usersResource);

  /** Everyone an admin can pick as a key owner (the first hundred by the API's order). */
  private readonly ownersResource = resource({
    params: () => (this.isAdmin() ? {} : undefined),
    loader: () => this.api.invoke(listUsers, { page_size: 100 }),
  });
  readonly owners = computed(() => (this.ownersResource.hasValue() ? this.ownersResource.value()!.items : []));

  readonly keyOwner = signal<KeyOwner>({ kind: 'mine' });
  private readonly keysResource = resource({
    params: () => {
      const owner = this.keyOwner();
      const me = this.me();
      if (!me) return undefined;
      return owner.kind === 'all' ? {} : { owner_id: owner.kind === 'user' ? owner.id : me.id };
    },
    loader: ({ params }) => this.api.invoke(listApiKeys, params),
  });
  readonly keys = latestValue(this.keysResource, [] as ApiKeyResponse[]);
  readonly keysLoading = this.keysResource.isLoading;
  readonly keysLoaded = computed(() => this.keysResource.hasValue() || this.keysResource.status() === 'error');
  readonly keysError = loadError(this.keysResource);

  filterUsers(change: Partial<Pick<UserQuery, 'search' | 'role'>>): void {
    this.userQuery.update((query) => ({ ...query, ...change, page: 1 }));
  }

  async createUser(body: CreateUserRequest): Promise<UserResponse> {
    const user = await this.api.invoke(createUser, { body });
    this.reloadUsers();
    return user;
  }

  async updateUser(id: string, body: UpdateUserRequest): Promise<UserResponse> {
    const user = await this.api.invoke(updateUser, { id, body });
    this.reloadUsers();
    return user;
  }

  async deleteUser(id: string): Promise<void> {
    await this.api.invoke(deleteUser, { id });
    this.reloadUsers();
    this.keysResource.reload();
  }

  /** Active models a new key may be limited to, by name (the first 100). */
  async keyModelChoices(): Promise<ModelResponse[]> {
    return (await this.api.invoke(listModels, { status: 'active', page_size: 100, sort: 'display_name' })).items;
  }

  async createKey(body: CreateApiKeyRequest): Promise<CreatedApiKeyResponse> {
    const key = await this.api.invoke(createApiKey, { body });
    this.keysResource.reload();
    return key;
  }

  async revokeKey(id: string): Promise<void> {
    await this.api.invoke(revokeApiKey, { id });
    this.keysResource.reload();
  }

  reloadUsers(): void {
    this.usersResource.reload();
    this.ownersResource.reload();
  }

  reloadKeys(): void {
    this.keysResource.reload();
  }

  emailOf(userId: string): string | null {
    if (userId === this.me()?.id) return this.me()!.email;
    return this.owners().find((user) => user.id === userId)?.email ?? null;
  }
}
