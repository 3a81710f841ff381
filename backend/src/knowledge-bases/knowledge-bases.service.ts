import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { diffChanges } from '../audit/audit-changes.js';
import type { Actor } from '../common/actor.js';
import { DomainError, notFound, validationFailed, type FieldError } from '../common/domain-error.js';
import { pageWindow } from '../common/pagination.js';
import { DependentsService } from '../models/dependents.service.js';
import type { NamedRef } from '../models/dto/model.dto.js';
import { RegistryCache } from '../registry/registry-cache.js';
import { checkBoundModel, dimensionsOf } from './bound-models.js';
import type {
  CreateKnowledgeBaseRequest,
  KnowledgeBaseListQuery,
  KnowledgeBasePage,
  KnowledgeBaseResponse,
  UpdateKnowledgeBaseRequest,
} from './dto/knowledge-base.dto.js';
import { auditedKnowledgeBase, knowledgeBaseStats, toKnowledgeBaseResponse } from './knowledge-base.mapper.js';
import { EmbeddingIndex, KnowledgeBase } from './knowledge-base.entity.js';
import { ReembedService } from './reembed.service.js';
import { VectorStore } from './retrieval/vector-store.js';

const nameTaken = (name: string) =>
  new DomainError('conflict', 'knowledge_base.name_taken', `A knowledge base named ${name} already exists`, {
    errors: [{ field: 'name', message: 'name is already in use', code: 'taken' }],
  });

/** Knowledge bases and the models they are bound to; every write commits with its audit event. */
@Injectable()
export class KnowledgeBasesService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly cache: RegistryCache,
    private readonly dependents: DependentsService,
    private readonly vectors: VectorStore,
    private readonly reembeds: ReembedService,
  ) {}

  onModuleInit(): void {
    // Bound models (and the model a re-embed is building with) cannot be deleted or deprecated.
    this.dependents.register(
      'knowledge_bases',
      (manager, modelIds) =>
        manager.query(
          `SELECT kb.id, kb.name FROM knowledge_bases kb
            WHERE kb.embedding_model_id = ANY($1::uuid[]) OR kb.generation_model_id = ANY($1::uuid[])
               OR EXISTS (SELECT 1 FROM embedding_indexes ix WHERE ix.knowledge_base_id = kb.id
                            AND ix.embedding_model_id = ANY($1::uuid[]) AND ix.status <> 'retired')
            ORDER BY lower(kb.name)`,
          [modelIds],
        ) as Promise<NamedRef[]>,
    );
  }

  async list(query: KnowledgeBaseListQuery): Promise<KnowledgeBasePage> {
    const { skip, take, page, pageSize } = pageWindow(query);
    const qb = this.dataSource.getRepository(KnowledgeBase).createQueryBuilder('kb');
    if (query.search) qb.where('kb.name ILIKE :search', { search: `%${query.search.replace(/[\\%_]/g, '\\$&')}%` });
    const [rows, total] = await qb.orderBy('lower(kb.name)').addOrderBy('kb.id').skip(skip).take(take).getManyAndCount();
    return { items: await this.respond(this.dataSource.manager, rows), page, page_size: pageSize, total };
  }

  async get(id: string): Promise<KnowledgeBaseResponse> {
    const kb = await this.dataSource.getRepository(KnowledgeBase).findOneBy({ id });
    if (!kb) throw notFound('knowledge base', id);
    return (await this.respond(this.dataSource.manager, [kb]))[0]!;
  }

  async create(actor: Actor, body: CreateKnowledgeBaseRequest): Promise<KnowledgeBaseResponse> {
    return this.dataSource.transaction(async (manager) => {
      const [embedding, generation] = [
        await checkBoundModel(manager, body.embedding_model_id, 'embedding_model_id', 'embedding'),
        await checkBoundModel(manager, body.generation_model_id, 'generation_model_id', 'generation'),
      ];
      const errors = [embedding.error, generation.error, chunkingError(body.chunk_size ?? 400, body.chunk_overlap ?? 50)].filter(
        (e): e is FieldError => Boolean(e),
      );
      if (errors.length) throw validationFailed(errors);
      await this.assertNameFree(manager, body.name, null);
      const kb = manager.create(KnowledgeBase, {
        name: body.name,
        description: body.description ?? null,
        embeddingModelId: embedding.model!.id,
        generationModelId: generation.model!.id,
        dimensions: dimensionsOf(embedding.model!),
        chunkSize: body.chunk_size ?? 400,
        chunkOverlap: body.chunk_overlap ?? 50,
        createdBy: actor.userId,
      });
      await manager.save(kb);
      await manager.insert(EmbeddingIndex, {
        knowledgeBaseId: kb.id,
        embeddingModelId: kb.embeddingModelId,
        dimensions: kb.dimensions,
        status: 'active',
        activatedAt: new Date(),
        startedBy: actor.userId,
      });
      await this.audit.record(manager, actor, {
        action: 'knowledge_base.created',
        entityType: 'knowledge_base',
        entityId: kb.id,
        changes: diffChanges(undefined, auditedKnowledgeBase(kb)),
      });
      return (await this.respond(manager, [kb]))[0]!;
    });
  }

  async update(actor: Actor, id: string, body: UpdateKnowledgeBaseRequest): Promise<KnowledgeBaseResponse> {
    const result = await this.dataSource.transaction(async (manager) => {
      const kb = await manager.findOne(KnowledgeBase, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!kb) throw notFound('knowledge base', id);
      const before = auditedKnowledgeBase(kb);
      const errors: FieldError[] = [];
      let reembedWith: string | null = null;
      if (body.embedding_model_id !== undefined && body.embedding_model_id !== kb.embeddingModelId) {
        const checked = await checkBoundModel(manager, body.embedding_model_id, 'embedding_model_id', 'embedding');
        if (checked.error) errors.push(checked.error);
        else if (dimensionsOf(checked.model) !== kb.dimensions) {
          errors.push({
            field: 'embedding_model_id',
            code: 'dimension_mismatch',
            message: `${checked.model.displayName} has ${dimensionsOf(checked.model)} dimensions and this knowledge base ${kb.dimensions}: switch with POST /knowledge-bases/${id}/reembed, which builds a new index`,
          });
        } else reembedWith = checked.model.id;
      }
      if (body.generation_model_id !== undefined && body.generation_model_id !== kb.generationModelId) {
        const checked = await checkBoundModel(manager, body.generation_model_id, 'generation_model_id', 'generation');
        if (checked.error) errors.push(checked.error);
        else kb.generationModelId = checked.model.id;
      }
      const chunking = chunkingError(body.chunk_size ?? kb.chunkSize, body.chunk_overlap ?? kb.chunkOverlap);
      if (chunking) errors.push(chunking);
      if (errors.length) throw validationFailed(errors);
      if (body.name !== undefined && body.name !== kb.name) {
        await this.assertNameFree(manager, body.name, id);
        kb.name = body.name;
      }
      if (body.description !== undefined) kb.description = body.description;
      if (body.chunk_size !== undefined) kb.chunkSize = body.chunk_size;
      if (body.chunk_overlap !== undefined) kb.chunkOverlap = body.chunk_overlap;
      kb.updatedAt = new Date();
      await manager.save(kb);
      const changes = diffChanges(before, auditedKnowledgeBase(kb));
      if (Object.keys(changes).length > 0) {
        await this.audit.record(manager, actor, { action: 'knowledge_base.updated', entityType: 'knowledge_base', entityId: id, changes });
      }
      // The same dimensions, but another model's vectors: still a re-embed, never a rebinding in place.
      if (reembedWith) await this.reembeds.startLocked(manager, actor, kb, reembedWith);
      return (await this.respond(manager, [kb]))[0]!;
    });
    this.reembeds.afterCommit();
    return result;
  }

  async remove(actor: Actor, id: string): Promise<void> {
    const indexes = await this.dataSource.transaction(async (manager) => {
      // Jobs first: this waits for batches in flight, which then cannot trip over the deleted rows.
      await manager.query(`DELETE FROM embedding_jobs WHERE index_id IN (SELECT id FROM embedding_indexes WHERE knowledge_base_id = $1)`, [
        id,
      ]);
      const kb = await manager.findOne(KnowledgeBase, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!kb) throw notFound('knowledge base', id);
      const ids = (await manager.query(`SELECT id FROM embedding_indexes WHERE knowledge_base_id = $1`, [id])) as { id: string }[];
      await manager.delete(KnowledgeBase, { id });
      await this.audit.record(manager, actor, {
        action: 'knowledge_base.deleted',
        entityType: 'knowledge_base',
        entityId: id,
        changes: diffChanges(auditedKnowledgeBase(kb), undefined),
      });
      return ids;
    });
    for (const index of indexes) this.vectors.forget(index.id);
  }

  private async respond(manager: EntityManager, rows: KnowledgeBase[]): Promise<KnowledgeBaseResponse[]> {
    if (rows.length === 0) return [];
    const stats = await knowledgeBaseStats(
      manager,
      rows.map((r) => r.id),
    );
    const snapshot = await this.cache.get();
    return rows.map((kb) => toKnowledgeBaseResponse(kb, stats, snapshot, this.vectors.mode));
  }

  private async assertNameFree(manager: EntityManager, name: string, exceptId: string | null): Promise<void> {
    const [row] = (await manager.query(`SELECT id FROM knowledge_bases WHERE lower(name) = lower($1)`, [name])) as { id: string }[];
    if (row && row.id !== exceptId) throw nameTaken(name);
  }
}

function chunkingError(size: number, overlap: number): FieldError | null {
  return overlap * 2 > size
    ? { field: 'chunk_overlap', message: `chunk_overlap must be at most half of chunk_size (${size})`, code: 'too_large' }
    : null;
}
