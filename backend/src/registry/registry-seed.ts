import type { DataSource } from 'typeorm';
import { systemActor } from '../common/actor.js';
import type { ModelsService } from '../models/models.service.js';
import type { ProvidersService } from '../providers/providers.service.js';

const MARKER = 'internal.registry_seeded';
const SEED_PROVIDER = 'Local Ollama';

/**
 * First start only: a local Ollama provider with a default generation and embedding model, so a
 * new installation has something to look at. Never again once it ran (a marker row), and never
 * when models already exist, so admin changes are not overwritten. The marker commits with the
 * provider and models or not at all: a start that fails half-way seeds again next time, and a
 * second instance starting at the same moment waits on the marker row and then finds it taken.
 */
export async function seedRegistry(dataSource: DataSource, providers: ProvidersService, models: ModelsService): Promise<boolean> {
  const [{ n }] = (await dataSource.query('SELECT count(*)::int AS n FROM models')) as { n: number }[];
  if (n > 0) return false;
  return models.write(async (manager) => {
    const claimed = (await manager.query(
      `INSERT INTO system_settings (key, value) VALUES ($1, 'true') ON CONFLICT (key) DO NOTHING RETURNING key`,
      [MARKER],
    )) as unknown[];
    if (claimed.length === 0) return false;
    const [{ n: existing }] = (await manager.query('SELECT count(*)::int AS n FROM models')) as { n: number }[];
    if (existing > 0) return false;
    // An admin already made a provider of that name (and removed its models): leave theirs alone.
    const [{ n: taken }] = (await manager.query(`SELECT count(*)::int AS n FROM providers WHERE lower(name) = lower($1)`, [
      SEED_PROVIDER,
    ])) as { n: number }[];
    if (taken > 0) return false;
    const actor = systemActor();
    const ollama = await providers.create(actor, { name: SEED_PROVIDER, kind: 'ollama', api_base: 'http://localhost:11434' }, manager);
    await models.create(
      actor,
      {
        provider_id: ollama.id,
        display_name: 'llama3.2',
        model_id: 'llama3.2',
        type: 'generation',
        params: { context_window: 131072, max_output_tokens: 4096, temperature: 0.7 },
        capabilities: ['streaming'],
      },
      manager,
    );
    await models.create(
      actor,
      {
        provider_id: ollama.id,
        display_name: 'nomic-embed-text',
        model_id: 'nomic-embed-text',
        type: 'embedding',
        params: { dimensions: 768, max_tokens: 8192, normalize: true, distance_metric: 'cosine', batch_size: 64 },
      },
      manager,
    );
    return true;
  });
}
