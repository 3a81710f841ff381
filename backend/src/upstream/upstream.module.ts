import { Global, Module } from '@nestjs/common';
import { ModelsModule } from '../models/models.module.js';
import { ProvidersModule } from '../providers/providers.module.js';
import { ConnectionTester } from './connection-test.js';
import { ConnectionTestsService } from './connection-tests.service.js';
import { DestinationGuard } from './destination-guard.js';
import { DiscoveryService } from './discovery.service.js';
import { UpstreamClient } from './upstream.client.js';
import { UpstreamPolicies } from './upstream-policies.js';

/**
 * Calling upstreams. Global because the registry's own controllers (provider and model tests,
 * discovery) and later modules (conversations, gateway, knowledge bases) all call through it,
 * while it needs the registry's services itself.
 */
@Global()
@Module({
  imports: [ProvidersModule, ModelsModule],
  providers: [UpstreamClient, UpstreamPolicies, DestinationGuard, ConnectionTester, ConnectionTestsService, DiscoveryService],
  exports: [UpstreamClient, UpstreamPolicies, DestinationGuard, ConnectionTestsService, DiscoveryService],
})
export class UpstreamModule {}
