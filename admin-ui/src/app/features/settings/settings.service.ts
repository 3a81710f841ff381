import { computed, inject, Injectable, resource } from '@angular/core';
import { Api } from '../../api/api';
import { listSettings } from '../../api/fn/settings/list-settings';
import { putSetting } from '../../api/fn/settings/put-setting';
import type { SettingResponse } from '../../api/models';
import { latestValue, loadError } from '../../shared/latest';

/** What kind of editor a setting needs, judged from its default (the API does not describe types). */
export type SettingKind = 'flag' | 'number' | 'list' | 'json';

export function settingKind(setting: SettingResponse): SettingKind {
  const value: unknown = setting.default;
  if (typeof value === 'boolean') return 'flag';
  if (typeof value === 'number') return 'number';
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return 'list';
  return 'json';
}

/** System settings: list, change one. One instance per settings page. */
@Injectable()
export class SettingsService {
  private readonly api = inject(Api);

  private readonly listResource = resource({ loader: () => this.api.invoke(listSettings) });
  readonly settings = latestValue(this.listResource, [] as SettingResponse[]);
  readonly loading = this.listResource.isLoading;
  readonly loaded = computed(() => this.listResource.hasValue() || this.listResource.status() === 'error');
  readonly error = loadError(this.listResource);

  reload(): void {
    this.listResource.reload();
  }

  async put(key: string, value: unknown): Promise<SettingResponse> {
    // The generated request types `value` as an empty object type; any JSON value is accepted.
    const saved = await this.api.invoke(putSetting, { key, body: { value: value as object } });
    this.listResource.update((settings) => settings?.map((setting) => (setting.key === key ? saved : setting)));
    return saved;
  }
}
