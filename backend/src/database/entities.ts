import { AuditEvent } from '../audit/audit-event.entity.js';
import { ApiKey } from '../auth/api-key.entity.js';
import { RefreshToken } from '../auth/refresh-token.entity.js';
import { User } from '../auth/user.entity.js';
import { Model } from '../models/model.entity.js';
import { Provider } from '../providers/provider.entity.js';
import { SystemSetting } from '../settings/system-setting.entity.js';
import { Conversation } from '../conversations/conversation.entity.js';
import { Message } from '../conversations/message.entity.js';
import { Chunk, KnowledgeDocument } from '../knowledge-bases/document.entity.js';
import { EmbeddingIndex, KnowledgeBase } from '../knowledge-bases/knowledge-base.entity.js';

/** Every entity, listed once for the app's data source and the migration CLI. */
export const entities = [
  User,
  ApiKey,
  RefreshToken,
  AuditEvent,
  SystemSetting,
  Provider,
  Model,
  Conversation,
  Message,
  KnowledgeBase,
  EmbeddingIndex,
  KnowledgeDocument,
  Chunk,
];
