import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Min } from 'class-validator';

export const MAX_PAGE_SIZE = 100;

const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value);

/** Offset pagination for small, sortable lists. Oversized pages are clamped to MAX_PAGE_SIZE. */
export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, default: 1 })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  page: number = 1;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 20, description: `Clamped to ${MAX_PAGE_SIZE}` })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  page_size: number = 20;
}

export interface Page<T> {
  items: T[];
  page: number;
  page_size: number;
  total: number;
}

export function pageWindow(query: PageQuery): { skip: number; take: number; page: number; pageSize: number } {
  const pageSize = Math.min(query.page_size, MAX_PAGE_SIZE);
  return { skip: (query.page - 1) * pageSize, take: pageSize, page: query.page, pageSize };
}

/** Opaque cursors: base64url JSON, so clients cannot depend on their shape. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export function decodeCursor<T>(cursor: string, isValid: (value: unknown) => value is T): T | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return isValid(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
