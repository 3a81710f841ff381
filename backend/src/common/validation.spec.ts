import { Type } from 'class-transformer';
import { IsInt, IsNotEmpty, IsString, Matches, MaxLength, Min, ValidateNested } from 'class-validator';
import { SendMessageRequest } from '../conversations/dto/conversation.dto.js';
import type { FieldError } from './domain-error.js';
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
});
