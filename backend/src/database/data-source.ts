import { DataSource, type DataSourceOptions } from 'typeorm';
import { migrations } from '../../../migrations/index.js';
import { entities } from './entities.js';
import { CallbackQueryClient } from './pg-client.js';
import { SnakeNamingStrategy } from './snake-naming.strategy.js';

export const RUNTIME_ROLE = 'switchboard_app';

export interface DataSourceSettings {
  url: string;
  poolSize?: number;
  /** Run queries as this role (SET at connect) instead of the login role. */
  role?: string;
  applicationName?: string;
}

export function dataSourceOptions(settings: DataSourceSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    entities,
    migrations,
    synchronize: false,
    migrationsRun: false,
    migrationsTransactionMode: 'all',
    namingStrategy: new SnakeNamingStrategy(),
    applicationName: settings.applicationName ?? 'switchboard',
    extra: {
      Client: CallbackQueryClient,
      max: settings.poolSize ?? 10,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
      ...(settings.role ? { options: `-c role=${settings.role}` } : {}),
    },
  };
}

/** For the TypeORM CLI: `typeorm -d dist/api/backend/src/database/data-source.js migration:run`. */
export default new DataSource(dataSourceOptions({ url: process.env.DATABASE_URL ?? 'postgres://localhost/switchboard' }));
