import { Module } from '@nestjs/common';
import { ModelsModule } from '../models/models.module.js';
import { KeyRotationService } from './key-rotation.service.js';
import { ProvidersController } from './providers.controller.js';
import { ProvidersService } from './providers.service.js';

@Module({
  imports: [ModelsModule],
  controllers: [ProvidersController],
  providers: [ProvidersService, KeyRotationService],
  exports: [ProvidersService, KeyRotationService],
})
export class ProvidersModule {}
