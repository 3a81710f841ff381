import type { DataSource } from 'typeorm';
import type { SecretBox } from '../common/secret-box.js';

export class KeyCheckError extends Error {}

/**
 * Refuses to start when stored provider keys were encrypted with a key this instance does not
 * have (or that no longer decrypts them), instead of failing later at request time.
 */
export async function assertStoredKeysReadable(dataSource: DataSource, box: SecretBox): Promise<void> {
  const rows = (await dataSource.query(
    `SELECT DISTINCT ON (api_key_kid) id, api_key_kid AS kid, api_key_ciphertext AS ciphertext, name
       FROM providers WHERE api_key_ciphertext IS NOT NULL ORDER BY api_key_kid, id`,
  )) as { id: string; kid: string; ciphertext: string; name: string }[];
  const missing = rows.filter((r) => !box.canOpenKid(r.kid));
  if (missing.length > 0) {
    throw new KeyCheckError(
      `provider API keys were encrypted with key id ${missing.map((r) => r.kid).join(', ')}, which this instance does not have ` +
        `(it has ${box.currentKid}): set SWITCHBOARD_SECRET_KEY to the key they were written with, or list it in SWITCHBOARD_PREVIOUS_SECRET_KEYS during a rotation`,
    );
  }
  for (const row of rows) {
    try {
      box.open(row.ciphertext, row.id);
    } catch (err) {
      throw new KeyCheckError(
        `the stored API key of provider "${row.name}" does not decrypt with key ${row.kid}: ${(err as Error).message}`,
      );
    }
  }
}
