import { Global, Module } from '@nestjs/common';
import { NotificationHub } from './notifications.js';

@Global()
@Module({ providers: [NotificationHub], exports: [NotificationHub] })
export class DatabaseModule {}
