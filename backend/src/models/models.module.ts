import { Module } from '@nestjs/common';
import { RegistryCache } from '../registry/registry-cache.js';
import { DependentsService } from './dependents.service.js';
import { ModelsCatalog } from './models-catalog.service.js';
import { ModelsController } from './models.controller.js';
import { ModelsService } from './models.service.js';

@Module({
  controllers: [ModelsController],
  providers: [ModelsService, ModelsCatalog, DependentsService, RegistryCache],
  exports: [ModelsService, ModelsCatalog, DependentsService, RegistryCache],
})
export class ModelsModule {}
