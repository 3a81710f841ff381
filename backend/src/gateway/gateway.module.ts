import { Module } from '@nestjs/common';
import { UpstreamModule } from '../upstream/upstream.module.js';
import { UsageModule } from '../usage/usage.module.js';
import { ModelsModule } from '../models/models.module.js';
import { GatewayController } from './gateway.controller.js';
import { GatewayRelay } from './gateway-relay.js';
import { GatewayUsage } from './gateway-usage.js';
import { GatewayService } from './gateway.service.js';

@Module({
  imports: [ModelsModule, UpstreamModule, UsageModule],
  controllers: [GatewayController],
  providers: [GatewayService, GatewayRelay, GatewayUsage],
})
export class GatewayModule {}
