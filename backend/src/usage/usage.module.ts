import { Module } from '@nestjs/common';
import { UsageRecorder } from './usage-recorder.service.js';
import { UsageController } from './usage.controller.js';
import { UsageService } from './usage.service.js';

@Module({
  controllers: [UsageController],
  providers: [UsageRecorder, UsageService],
  exports: [UsageRecorder],
})
export class UsageModule {}
