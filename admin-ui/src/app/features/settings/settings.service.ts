import { computed, inject, Injectable, resource } from '@angular/core';
import { Api } from '../../api/api';
import { listModels } from '../../api/fn/models/list-models';
import { listSettings } from '../../api/fn/settings/list-settings';
import { putSetting } from '../../api/fn/settings/put-setting';
import type { ModelResponse, SettingResponse } from '../../api/models';
import { latestValue, loadError } from '../../shared/latest';

/** What kind of editor a setting needs; a type this console does not know yet is edited as JSON. */
export type SettingKind = 'flag' | 'number' | 'list' | 'model' | 'json';

const KIND_BY_TYPE: Record<string, SettingKind> = { boolean: 'flag', integer: 'number', string_list: 'list', generation_model: 'model' };

export function settingKind(setting: SettingResponse): SettingKind {
  return KIND_BY_TYPE[setting.type] ?? 'json';
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

  /** The generation models a model setting can name; read only when there is such a setting. */
  private readonly modelsResource = resource({
    // `true`, not an object: a new settings list with the same answer must not read the models again.
    params: () => (this.settings().some((setting) => settingKind(setting) === 'model') ? true : undefined),
    loader: () => this.api.invoke(listModels, { type: 'generation', page_size: 100, sort: 'display_name' }),
  });
  readonly generationModels = computed<ModelResponse[]>(() => (this.modelsResource.hasValue() ? this.modelsResource.value().items : []));

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
