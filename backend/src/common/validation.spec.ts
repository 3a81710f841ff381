import { Type } from 'class-transformer';
import { IsInt, IsNotEmpty, IsString, Matches, MaxLength, Min, ValidateNested } from 'class-validator';
import { SendMessageRequest } from '../conversations/dto/conversation.dto.js';
import { CreateProviderRequest } from '../providers/dto/provider.dto.js';
import type { FieldError } from './domain-error.js';
import { fieldChecks, Trim } from './field-checks.js';
import { createValidationPipe } from './validation.js';

class Limits {
  @IsInt()
  @Min(1)
  per_minute!: number;
}

class Sample {
  @IsString()
  @IsNotEmpty()
  @Matches(/^[a-z]+$/, { message: 'name must be lowercase letters' })
  @MaxLength(5)
  name!: string;

  @ValidateNested()
  @Type(() => Limits)
  limits!: Limits;
}

class Composed {
  @fieldChecks(Trim(), IsString(), IsNotEmpty(), MaxLength(5))
  name!: string;
}

async function refusal(body: unknown, metatype: new () => unknown): Promise<FieldError[]> {
  try {
    await createValidationPipe().transform(body, { type: 'body', metatype });
  } catch (error) {
    return (error as { options: { errors: FieldError[] } }).options.errors;
  }
  throw new Error('the pipe accepted the body');
}

describe('validation errors (the pipe and toFieldErrors)', () => {
  it('reports one error per field: the failed check written first, so a missing field is named as missing, not as too long', async () => {
    expect(await refusal({ limits: { per_minute: 1 } }, Sample)).toEqual([
      { field: 'name', code: 'isString', message: 'name must be a string' },
    ]);
    expect(await refusal({ name: '', limits: { per_minute: 1 } }, Sample)).toEqual([
      { field: 'name', code: 'isNotEmpty', message: 'name should not be empty' },
    ]);
    expect(await refusal({ name: 'ABCDEFG', limits: { per_minute: 1 } }, Sample)).toEqual([
      { field: 'name', code: 'matches', message: 'name must be lowercase letters' },
    ]);
    expect(await refusal({ name: 'abcdefg', limits: { per_minute: 1 } }, Sample)).toEqual([
      { field: 'name', code: 'maxLength', message: 'name must be shorter than or equal to 5 characters' },
    ]);
  });

  it('names nested fields by path and unknown fields as unknown, one error each', async () => {
    expect(await refusal({ name: 'abc', limits: { per_minute: 'x' }, extra: 1 }, Sample)).toEqual([
      { field: 'extra', code: 'unknown_field', message: 'extra is not a known field' },
      { field: 'limits.per_minute', code: 'isInt', message: 'per_minute must be an integer number' },
    ]);
  });

  it('answers a message body without content, with a number, or empty, by what is wrong with it', async () => {
    expect(await refusal({}, SendMessageRequest)).toEqual([{ field: 'content', code: 'isString', message: 'content must be a string' }]);
    expect(await refusal({ content: 5 }, SendMessageRequest)).toEqual([
      { field: 'content', code: 'isString', message: 'content must be a string' },
    ]);
    expect(await refusal({ content: '' }, SendMessageRequest)).toEqual([
      { field: 'content', code: 'isNotEmpty', message: 'content must not be empty' },
    ]);
  });

  it('reports composed checks as if they were written one per line above the field', async () => {
    expect(await refusal({ name: 5 }, Composed)).toEqual([{ field: 'name', code: 'isString', message: 'name must be a string' }]);
    expect(await refusal({ name: '   ' }, Composed)).toEqual([{ field: 'name', code: 'isNotEmpty', message: 'name should not be empty' }]);
    expect(await refusal({ name: 'abcdef' }, Composed)).toEqual([
      { field: 'name', code: 'maxLength', message: 'name must be shorter than or equal to 5 characters' },
    ]);
  });

  it("checks a provider's api_base and api_version where given, and only then", async () => {
    expect(await refusal({ name: 'p', kind: 'openai', api_base: 42 }, CreateProviderRequest)).toEqual([
      { field: 'api_base', code: 'isString', message: 'api_base must be a string' },
    ]);
    expect(await refusal({ name: 'p', kind: 'azure', api_base: 'ftp://x.example', api_version: '2024' }, CreateProviderRequest)).toEqual([
      { field: 'api_base', code: 'matches', message: 'api_base must be an http(s) URL without query or fragment' },
      { field: 'api_version', code: 'matches', message: 'api_version must look like 2024-10-21 or 2025-01-01-preview' },
    ]);
    const accepted = (await createValidationPipe().transform(
      { name: 'p', kind: 'openai', api_base: '  https://api.example.com/v1 ', api_version: null },
      { type: 'body', metatype: CreateProviderRequest },
    )) as CreateProviderRequest;
    expect(accepted.api_base).toBe('https://api.example.com/v1');
    expect(accepted.api_version).toBeNull();
  });
});
