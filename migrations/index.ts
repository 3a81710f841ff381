import { Platform1764086400000 } from './1764086400000-platform.js';
import { Registry1764172800000 } from './1764172800000-registry.js';
import { Conversations1764259200000 } from './1764259200000-conversations.js';
import { KnowledgeBases1764345600000 } from './1764345600000-knowledge-bases.js';
import { AuditAppend1764432000000 } from './1764432000000-audit-append.js';
import { MessageHistoryTokens1764518400000 } from './1764518400000-message-history-tokens.js';
import { AuditAppendMany1764604800000 } from './1764604800000-audit-append-many.js';
import { UsageSources1764691200000 } from './1764691200000-usage-sources.js';
import { SettingValuesNullable1764777600000 } from './1764777600000-setting-values-nullable.js';
import { UsageLatencyRange1764864000000 } from './1764864000000-usage-latency-range.js';
import { ApiKeyModels1764950400000 } from './1764950400000-api-key-models.js';

/** Every migration in order; listed explicitly so the app, the CLI and Jest load the same set. */
export const migrations = [
  Platform1764086400000,
  Registry1764172800000,
  Conversations1764259200000,
  KnowledgeBases1764345600000,
  AuditAppend1764432000000,
  MessageHistoryTokens1764518400000,
  AuditAppendMany1764604800000,
  UsageSources1764691200000,
  SettingValuesNullable1764777600000,
  UsageLatencyRange1764864000000,
  ApiKeyModels1764950400000,
];
