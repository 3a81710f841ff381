import { createHash } from 'node:crypto';
import { extname } from 'node:path';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { diffChanges } from '../audit/audit-changes.js';
import type { Actor } from '../common/actor.js';
import { DomainError, notFound } from '../common/domain-error.js';
import { pageWindow } from '../common/pagination.js';
import { RegistryCache } from '../registry/registry-cache.js';
import { SettingsService } from '../settings/settings.service.js';
import { KnowledgeDocument } from './document.entity.js';
import type { DocumentListQuery, DocumentPage, DocumentResponse, UploadResponse } from './dto/document.dto.js';
import { extractDocument } from './extraction/extract.js';
import { detectMediaType, SUPPORTED_LIST } from './extraction/media-types.js';
import { chunkSections, type ChunkDraft } from './ingestion/chunker.js';
import { enqueueDocument, enqueueMissing, progressOf } from './ingestion/embedding-queue.js';
import { EmbeddingWorker } from './ingestion/embedding-worker.js';
import { toDocumentResponse } from './knowledge-base.mapper.js';
import { KnowledgeBase } from './knowledge-base.entity.js';
import type { UploadReader } from './upload-reader.js';

const INSERT_PAGE = 1_000;

/** Documents of a knowledge base: upload (extract, chunk, queue), progress, retry, delete. */
@Injectable()
export class DocumentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly settings: SettingsService,
    private readonly cache: RegistryCache,
    private readonly worker: EmbeddingWorker,
  ) {}

  /**
   * Text is extracted and chunked here, so a broken file is refused at once; embedding happens in
   * the background. The same bytes uploaded again return the existing document and change nothing.
   */
  async upload(actor: Actor, knowledgeBaseId: string, read: UploadReader): Promise<UploadResponse> {
    await this.knowledgeBase(knowledgeBaseId);
    const upload = await read(await this.settings.value('knowledge.max_upload_bytes'));
    const mediaType = detectMediaType(upload.mimetype, upload.filename, upload.bytes);
    if (!mediaType) {
      throw new DomainError(
        'unsupported_media_type',
        'document.unsupported_type',
        `${upload.mimetype ?? 'This file type'}${upload.filename ? ` (${upload.filename})` : ''} is not supported; upload one of ${SUPPORTED_LIST}`,
        { extensions: { supported: ['text/plain', 'text/markdown', 'text/html', 'application/pdf'] } },
      );
    }
    const contentHash = createHash('sha256').update(upload.bytes).digest('hex');
    const known = await this.duplicate(this.dataSource.manager, knowledgeBaseId, contentHash);
    if (known) return known;
    const extracted = await extractDocument(upload.bytes, mediaType);
    const kb = await this.knowledgeBase(knowledgeBaseId);
    const maxTokens = Math.min(kb.chunkSize, this.modelTokenLimit(kb.embeddingModelId, await this.cache.get()));
    const chunks = chunkSections(extracted.sections, { maxTokens, overlapTokens: Math.min(kb.chunkOverlap, Math.floor(maxTokens / 2)) });
    const title =
      upload.title ??
      extracted.title ??
      (upload.filename ? upload.filename.slice(0, -extname(upload.filename).length || undefined) : 'Untitled');
    const result = await this.dataSource.transaction(async (manager) => {
      // Serialises with a re-embed starting or cutting over, so the document is queued for exactly the live indexes.
      await manager.query(`SELECT id FROM knowledge_bases WHERE id = $1 FOR UPDATE`, [knowledgeBaseId]);
      const again = await this.duplicate(manager, knowledgeBaseId, contentHash);
      if (again) return again;
      const doc = manager.create(KnowledgeDocument, {
        knowledgeBaseId,
        title: title.slice(0, 200),
        filename: upload.filename?.slice(0, 255) ?? null,
        mediaType,
        sizeBytes: upload.bytes.byteLength,
        contentHash,
        status: 'pending',
        chunkCount: chunks.length,
        uploadedBy: actor.userId,
      });
      await manager.save(doc);
      await insertChunks(manager, doc, chunks);
      const indexes = (await manager.query(
        `SELECT id FROM embedding_indexes WHERE knowledge_base_id = $1 AND status IN ('active', 'building')`,
        [knowledgeBaseId],
      )) as { id: string }[];
      await enqueueDocument(
        manager,
        indexes.map((i) => i.id),
        doc.id,
      );
      await this.audit.record(manager, actor, {
        action: 'document.uploaded',
        entityType: 'document',
        entityId: doc.id,
        changes: diffChanges(undefined, {
          knowledge_base_id: knowledgeBaseId,
          title: doc.title,
          filename: doc.filename,
          media_type: mediaType,
          size_bytes: doc.sizeBytes,
          content_hash: contentHash,
          chunks: chunks.length,
        }),
      });
      return {
        document: toDocumentResponse(doc, 0),
        duplicate: false,
        detail: `Indexing ${chunks.length} chunk${chunks.length === 1 ? '' : 's'} in the background`,
      };
    });
    if (!result.duplicate) this.worker.wake();
    return result;
  }

  async list(knowledgeBaseId: string, query: DocumentListQuery): Promise<DocumentPage> {
    await this.knowledgeBase(knowledgeBaseId);
    const { skip, take, page, pageSize } = pageWindow(query);
    const [rows, total] = await this.dataSource.getRepository(KnowledgeDocument).findAndCount({
      where: { knowledgeBaseId, ...(query.status ? { status: query.status } : {}) },
      order: { createdAt: 'DESC', id: 'ASC' },
      skip,
      take,
    });
    return { items: await this.respond(knowledgeBaseId, rows), page, page_size: pageSize, total };
  }

  async get(knowledgeBaseId: string, id: string): Promise<DocumentResponse> {
    const doc = await this.dataSource.getRepository(KnowledgeDocument).findOneBy({ id, knowledgeBaseId });
    if (!doc) throw notFound('document', id);
    return (await this.respond(knowledgeBaseId, [doc]))[0]!;
  }

  async remove(actor: Actor, knowledgeBaseId: string, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      // Jobs first: waits for a batch in flight to commit rather than deadlocking with it.
      await manager.query(`DELETE FROM embedding_jobs WHERE document_id = $1`, [id]);
      const doc = await manager.findOne(KnowledgeDocument, { where: { id, knowledgeBaseId }, lock: { mode: 'pessimistic_write' } });
      if (!doc) throw notFound('document', id);
      await manager.delete(KnowledgeDocument, { id });
      // In-memory vector copies drop what was deleted when they see the epoch move.
      await manager.query(`UPDATE embedding_indexes SET vector_epoch = vector_epoch + 1 WHERE knowledge_base_id = $1`, [knowledgeBaseId]);
      await this.audit.record(manager, actor, {
        action: 'document.deleted',
        entityType: 'document',
        entityId: id,
        changes: diffChanges(
          { knowledge_base_id: knowledgeBaseId, title: doc.title, content_hash: doc.contentHash, chunks: doc.chunkCount },
          undefined,
        ),
      });
    });
  }

  /** Queues a failed document's chunks that have no vector yet, in every live index. */
  async retry(actor: Actor, knowledgeBaseId: string, id: string): Promise<DocumentResponse> {
    const response = await this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT id FROM knowledge_bases WHERE id = $1 FOR UPDATE`, [knowledgeBaseId]);
      const doc = await manager.findOne(KnowledgeDocument, { where: { id, knowledgeBaseId }, lock: { mode: 'pessimistic_write' } });
      if (!doc) throw notFound('document', id);
      if (doc.status !== 'failed') {
        throw new DomainError('conflict', 'document.not_failed', `The document is ${doc.status}; only a failed document can be retried`);
      }
      const indexes = (await manager.query(
        `SELECT id, status FROM embedding_indexes WHERE knowledge_base_id = $1 AND status IN ('active', 'building')`,
        [knowledgeBaseId],
      )) as { id: string; status: string }[];
      let queued = 0;
      for (const index of indexes) {
        const n = await enqueueMissing(manager, index.id, { knowledgeBaseId, documentId: id });
        if (index.status === 'active') queued = n;
      }
      const before = { status: doc.status, error: doc.error?.message ?? null };
      Object.assign(doc, queued > 0 ? { status: 'pending', error: null } : { status: 'indexed', error: null, indexedAt: new Date() });
      doc.updatedAt = new Date();
      await manager.save(doc);
      await this.audit.record(manager, actor, {
        action: 'document.retried',
        entityType: 'document',
        entityId: id,
        changes: diffChanges(before, { status: doc.status, error: null }),
      });
      return toDocumentResponse(doc, doc.chunkCount - queued);
    });
    this.worker.wake();
    return response;
  }

  private async duplicate(manager: EntityManager, knowledgeBaseId: string, contentHash: string): Promise<UploadResponse | null> {
    const existing = await manager.findOneBy(KnowledgeDocument, { knowledgeBaseId, contentHash });
    if (!existing) return null;
    const [document] = await this.respond(knowledgeBaseId, [existing], manager);
    return {
      document: document!,
      duplicate: true,
      detail: `This file is already in the knowledge base as “${existing.title}”; nothing was changed`,
    };
  }

  private async respond(
    knowledgeBaseId: string,
    docs: KnowledgeDocument[],
    manager = this.dataSource.manager,
  ): Promise<DocumentResponse[]> {
    const open = docs.filter((d) => d.status !== 'indexed').map((d) => d.id);
    const [active] = open.length
      ? ((await manager.query(`SELECT id FROM embedding_indexes WHERE knowledge_base_id = $1 AND status = 'active'`, [
          knowledgeBaseId,
        ])) as { id: string }[])
      : [];
    const done = active ? await progressOf(manager, active.id, open) : new Map<string, number>();
    return docs.map((d) => toDocumentResponse(d, done.get(d.id) ?? 0));
  }

  private async knowledgeBase(id: string): Promise<KnowledgeBase> {
    const kb = await this.dataSource.getRepository(KnowledgeBase).findOneBy({ id });
    if (!kb) throw notFound('knowledge base', id);
    return kb;
  }

  private modelTokenLimit(modelId: string, snapshot: Awaited<ReturnType<RegistryCache['get']>>): number {
    const limit = snapshot.models.get(modelId)?.params?.['max_tokens'];
    // Room for the heading path sent with each chunk, and for tokenizers that count more than ours.
    return typeof limit === 'number' && limit > 0 ? Math.max(32, Math.floor(limit * 0.8)) : Infinity;
  }
}

async function insertChunks(manager: EntityManager, doc: KnowledgeDocument, chunks: ChunkDraft[]): Promise<void> {
  for (let start = 0; start < chunks.length; start += INSERT_PAGE) {
    const page = chunks.slice(start, start + INSERT_PAGE);
    await manager.query(
      `INSERT INTO chunks (document_id, knowledge_base_id, ordinal, heading, anchor, content, token_count, search_vector)
       SELECT $1, $2, u.ordinal, u.heading, u.anchor, u.content, u.tokens,
              setweight(to_tsvector('english', coalesce(u.heading, '')), 'A') || setweight(to_tsvector('english', u.content), 'B')
         FROM unnest($3::int[], $4::text[], $5::text[], $6::text[], $7::int[]) AS u(ordinal, heading, anchor, content, tokens)`,
      [
        doc.id,
        doc.knowledgeBaseId,
        page.map((_, i) => start + i),
        page.map((c) => c.heading),
        page.map((c) => c.anchor),
        page.map((c) => c.content),
        page.map((c) => c.tokenCount),
      ],
    );
  }
}
