import { plainToInstance } from 'class-transformer';
import { ArrayMaxSize, IsBoolean, IsIn, IsInt, IsNumber, IsOptional, IsString, Max, MaxLength, Min, validateSync } from 'class-validator';
import type { FieldError } from '../common/domain-error.js';
import { toFieldErrors } from '../common/validation.js';
import type { ModelType } from '../providers/provider-kinds.js';

export const DISTANCE_METRICS = ['cosine', 'dot', 'euclidean'] as const;

export class GenerationParams {
  @IsOptional() @IsInt() @Min(1) @Max(10_000_000) context_window?: number;
  @IsOptional() @IsInt() @Min(1) @Max(10_000_000) max_output_tokens?: number;
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(2) temperature?: number;
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(1) top_p?: number;
  @IsOptional() @IsInt() @Min(1) @Max(1000) top_k?: number;
}

export class EmbeddingParams {
  @IsInt() @Min(1) @Max(65_536) dimensions!: number;
  @IsOptional() @IsInt() @Min(1) @Max(10_000_000) max_tokens?: number;
  @IsOptional() @IsBoolean() normalize?: boolean;
  @IsOptional() @IsIn(DISTANCE_METRICS) distance_metric?: (typeof DISTANCE_METRICS)[number];
  @IsOptional() @IsInt() @Min(1) @Max(2048) batch_size?: number;
}

export class NerParams {
  @IsOptional() @IsInt() @Min(1) @Max(10_000_000) context_window?: number;
  @IsOptional() @IsInt() @Min(1) @Max(10_000_000) max_output_tokens?: number;
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(2) temperature?: number;
  @IsOptional() @ArrayMaxSize(200) @IsString({ each: true }) @MaxLength(100, { each: true }) entity_types?: string[];
}

const PARAMS_BY_TYPE: Record<ModelType, new () => object> = {
  generation: GenerationParams,
  embedding: EmbeddingParams,
  ner: NerParams,
};

/** The parameters a type accepts, for error messages and the console. */
export const PARAM_NAMES: Record<ModelType, string[]> = {
  generation: ['context_window', 'max_output_tokens', 'temperature', 'top_p', 'top_k'],
  embedding: ['dimensions', 'max_tokens', 'normalize', 'distance_metric', 'batch_size'],
  ner: ['context_window', 'max_output_tokens', 'temperature', 'entity_types'],
};

/** Validates `params` for a model type: unknown members and out-of-range values are field errors. */
export function checkParams(type: ModelType, params: Record<string, unknown>): FieldError[] {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    return [{ field: 'params', message: 'params must be an object' }];
  }
  const instance = plainToInstance(PARAMS_BY_TYPE[type], params);
  const errors = toFieldErrors(validateSync(instance, { whitelist: true, forbidNonWhitelisted: true }), 'params');
  for (const e of errors) {
    if (e.code === 'unknown_field') e.message = `${e.field} is not a ${type} parameter (allowed: ${PARAM_NAMES[type].join(', ')})`;
  }
  const maxOut = params.max_output_tokens;
  const context = params.context_window;
  if (typeof maxOut === 'number' && typeof context === 'number' && maxOut > context) {
    errors.push({
      field: 'params.max_output_tokens',
      code: 'exceeds_context',
      message: 'max_output_tokens must not exceed context_window',
    });
  }
  return errors;
}
