import type { DependentsResponse } from '../api/models';

/** Nothing depends on it: the start of a merge, or of a dependents member a problem only sketched. */
export function noDependents(overrides: Partial<DependentsResponse> = {}): DependentsResponse {
  return {
    knowledge_bases: [],
    conversations: [],
    successor_of: [],
    default_for: [],
    models: [],
    settings: [],
    blocks_delete: false,
    ...overrides,
  };
}
