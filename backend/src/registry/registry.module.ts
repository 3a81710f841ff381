import { Module } from '@nestjs/common';
import { ModelsModule } from '../models/models.module.js';
import { ProvidersModule } from '../providers/providers.module.js';
import { LitellmController } from './litellm.controller.js';
import { LitellmService } from './litellm.service.js';

/** Whole-registry operations: LiteLLM config export and import. */
@Module({
  imports: [ModelsModule, ProvidersModule],
  controllers: [LitellmController],
  providers: [LitellmService],
})
export class RegistryModule {}
