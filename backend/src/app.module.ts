import { type DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER, DiscoveryModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TurnPacer } from './common/turn-pacer.js';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { GLOBAL_ERRORS } from './global-errors.js';
import { SecretBox } from './common/secret-box.js';
import type { SecretKeyring } from './common/secret-keyring.js';
import { JwtKeys } from './common/tokens.js';
import { AppConfig } from './config/app-config.js';
import { dataSourceOptions, type DataSourceSettings } from './database/data-source.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthModule } from './health/health.module.js';
import { ModelsModule } from './models/models.module.js';
import { ProvidersModule } from './providers/providers.module.js';
import { RegistryModule } from './registry/registry.module.js';
import { loggerOptions } from './logging.js';
import { SettingsModule } from './settings/settings.module.js';
import { UpstreamModule } from './upstream/upstream.module.js';
import { UsageModule } from './usage/usage.module.js';
import { ConversationsModule } from './conversations/conversations.module.js';
import { GatewayModule } from './gateway/gateway.module.js';
import { KnowledgeBasesModule } from './knowledge-bases/knowledge-bases.module.js';

export interface AppModuleOptions {
  config: AppConfig;
  database: DataSourceSettings;
  keyring: SecretKeyring;
  /** JWT_SECRET when set; otherwise access-token keys are derived from the keyring. */
  jwtSecret?: string;
  /** Where logs go (stdout when absent); tests capture them. */
  logStream?: DestinationStream;
}

@Global()
@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot(loggerOptions(options.config, options.logStream)),
        TypeOrmModule.forRoot({ ...dataSourceOptions(options.database), autoLoadEntities: false }),
        DiscoveryModule,
        AuditModule,
        SettingsModule,
        AuthModule,
        HealthModule,
        DatabaseModule,
        ModelsModule,
        ProvidersModule,
        RegistryModule,
        UpstreamModule,
        UsageModule,
        ConversationsModule,
        GatewayModule,
        KnowledgeBasesModule,
      ],
      providers: [
        { provide: AppConfig, useValue: options.config },
        { provide: SecretBox, useValue: new SecretBox(options.keyring) },
        { provide: JwtKeys, useFactory: (box: SecretBox) => new JwtKeys(box, options.jwtSecret), inject: [SecretBox] },
        { provide: APP_FILTER, useValue: GLOBAL_ERRORS },
        { provide: TurnPacer, useValue: new TurnPacer() },
      ],
      exports: [AppConfig, SecretBox, JwtKeys, TurnPacer],
    };
  }
}
