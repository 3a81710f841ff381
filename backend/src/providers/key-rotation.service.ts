import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { systemActor } from '../common/actor.js';
import { SecretBox } from '../common/secret-box.js';
import { loadSecretKeyring, reloadSecretKeyringSync } from '../common/secret-keyring.js';
import { AppConfig } from '../config/app-config.js';
import { NotificationHub } from '../database/notifications.js';
import { Provider } from './provider.entity.js';

export interface RotationReport {
  reencrypted: number;
  current_kid: string;
  /** Key ids still used by some ciphertext (nothing else may be retired yet). */
  kids_in_use: string[];
}

/**
 * Re-encrypts stored provider keys under the current master key, one row per transaction so the
 * app keeps serving; every instance reads both keys meanwhile. Instances reload their keyring
 * when told (key-file installations), so a rotation needs no restart.
 */
@Injectable()
export class KeyRotationService implements OnModuleInit {
  private readonly logger = new Logger(KeyRotationService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly box: SecretBox,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    private readonly notifications: NotificationHub,
  ) {}

  onModuleInit(): void {
    // The notice to reload can arrive after the rotation re-encrypted a key this instance must
    // open; then the box reads the keys itself, on the spot.
    this.box.reloadOnUnknownKey(() => {
      const keyring = reloadSecretKeyringSync(this.keyringOptions());
      this.logger.log(`secret keys reloaded for an unknown key id; current key id ${keyring.current.kid}`);
      return keyring;
    });
    this.notifications.on('sb_keys', () => {
      this.reloadKeyring().catch((err: unknown) => this.logger.error(`could not reload the secret keys: ${String(err)}`));
    });
  }

  async reloadKeyring(): Promise<void> {
    const keyring = await loadSecretKeyring(this.keyringOptions());
    this.box.replaceKeyring(keyring);
    this.logger.log(`secret keys reloaded; current key id ${keyring.current.kid}`);
  }

  private keyringOptions() {
    return {
      envKey: this.config.SWITCHBOARD_SECRET_KEY,
      previousKeys: this.config.SWITCHBOARD_PREVIOUS_SECRET_KEYS,
      dataDir: this.config.dataDir,
    };
  }

  async reencryptAll(): Promise<RotationReport> {
    const current = this.box.currentKid;
    const stale = (await this.dataSource.query(
      'SELECT id FROM providers WHERE api_key_ciphertext IS NOT NULL AND api_key_kid <> $1 ORDER BY id',
      [current],
    )) as { id: string }[];
    let reencrypted = 0;
    for (const { id } of stale) {
      const done = await this.dataSource.transaction(async (manager) => {
        const p = await manager.findOne(Provider, { where: { id }, lock: { mode: 'pessimistic_write' } });
        if (!p?.apiKeyCiphertext || p.apiKeyKid === current) return false;
        const sealed = this.box.seal(this.box.open(p.apiKeyCiphertext, p.id), p.id);
        await manager.update(Provider, { id }, { apiKeyCiphertext: sealed.ciphertext, apiKeyKid: sealed.kid });
        await this.audit.record(manager, systemActor(), {
          action: 'provider.key_reencrypted',
          entityType: 'provider',
          entityId: id,
          changes: { api_key_kid: { before: p.apiKeyKid, after: sealed.kid } },
        });
        await this.notifications.notify('sb_registry', 'keys', manager);
        return true;
      });
      if (done) reencrypted++;
    }
    const inUse = (await this.dataSource.query('SELECT DISTINCT api_key_kid AS kid FROM providers WHERE api_key_kid IS NOT NULL')) as {
      kid: string;
    }[];
    return { reencrypted, current_kid: current, kids_in_use: inUse.map((r) => r.kid).sort() };
  }
}
