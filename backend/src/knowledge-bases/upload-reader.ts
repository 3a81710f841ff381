import '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { DomainError, fieldError, validationFailed } from '../common/domain-error.js';
import { SUPPORTED_LIST } from './extraction/media-types.js';

export interface Upload {
  bytes: Buffer;
  filename: string | undefined;
  mimetype: string | undefined;
  title: string | undefined;
}

/** Reads an upload once the service has said how large it may be. */
export type UploadReader = (maxBytes: number) => Promise<Upload>;

const FIELDS = new Set(['title']);

/**
 * The `file` part (and an optional `title` field) of a multipart request, streamed with the size
 * limit applied as it arrives: a larger file is refused with 413 without being held in memory.
 */
export function multipartUpload(request: FastifyRequest): UploadReader {
  return async (maxBytes) => {
    if (!request.isMultipart()) {
      throw new DomainError(
        'unsupported_media_type',
        'document.not_multipart',
        `Send the document as multipart/form-data with a "file" part; supported types: ${SUPPORTED_LIST}`,
      );
    }
    let upload: Omit<Upload, 'title'> | undefined;
    let title: string | undefined;
    try {
      for await (const part of request.parts({ limits: { fileSize: maxBytes, files: 1, fields: 5, fieldSize: 4_096 } })) {
        if (part.type === 'file') {
          if (part.fieldname !== 'file') {
            part.file.resume();
            throw fieldError(part.fieldname, `${part.fieldname} is not a known field; send the document as "file"`, 'unknown_field');
          }
          upload = { bytes: await part.toBuffer(), filename: part.filename || undefined, mimetype: part.mimetype || undefined };
        } else if (!FIELDS.has(part.fieldname)) {
          throw fieldError(part.fieldname, `${part.fieldname} is not a known field`, 'unknown_field');
        } else {
          title = String(part.value).trim() || undefined;
        }
      }
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'FST_REQ_FILE_TOO_LARGE') {
        throw new DomainError(
          'too_large',
          'document.too_large',
          `The document is larger than ${maxBytes} bytes, the limit set by knowledge.max_upload_bytes`,
          { extensions: { max_bytes: maxBytes } },
        );
      }
      if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') {
        throw validationFailed([{ field: 'file', message: 'send one file and at most a title', code: 'too_many_parts' }]);
      }
      throw error;
    }
    if (!upload) throw fieldError('file', 'file is required: a multipart part named "file"', 'required');
    if (title && title.length > 200) throw fieldError('title', 'title must be at most 200 characters', 'maxLength');
    return { ...upload, title };
  };
}
