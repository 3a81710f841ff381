import type { DataSource } from 'typeorm';
import { systemActor } from '../common/actor.js';
import type { ModelsService } from '../models/models.service.js';
import type { ProvidersService } from '../providers/providers.service.js';

const MARKER = 'internal.registry_seeded';

/**
 * First start only: a local Ollama provider with a default generation and embedding model, so a
 * new installation has something to look at. Never again once it ran (a marker row), and never
 * when models already exist, so admin changes are not overwritten.
 */
export async function seedRegistry(dataSource: DataSource, providers: ProvidersService, models: ModelsService): Promise<boolean> {
  const [{ n }] = (await dataSource.query('SELECT count(*)::int AS n FROM models')) as { n: number }[];
  if (n > 0) return false;
  const claimed = (await dataSource.query(
    `INSERT INTO system_settings (key, value) VALUES ($1, 'true') ON CONFLICT (key) DO NOTHING RETURNING key`,
    [MARKER],
  )) as unknown[];
  if (claimed.length === 0) return false;
  const actor = systemActor();
  const ollama = await providers.create(actor, { name: 'Local Ollama', kind: 'ollama', api_base: 'http://localhost:11434' });
  await models.create(actor, {
    provider_id: ollama.id,
    display_name: 'llama3.2',
    model_id: 'llama3.2',
    type: 'generation',
    params: { context_window: 131072, max_output_tokens: 4096, temperature: 0.7 },
    capabilities: ['streaming'],
  });
  await models.create(actor, {
    provider_id: ollama.id,
    display_name: 'nomic-embed-text',
    model_id: 'nomic-embed-text',
    type: 'embedding',
    params: { dimensions: 768, max_tokens: 8192, normalize: true, distance_metric: 'cosine', batch_size: 64 },
  });
  return true;
}
