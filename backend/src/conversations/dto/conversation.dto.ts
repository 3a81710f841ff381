import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, MaxLength, Min } from 'class-validator';
import { MESSAGE_STATUSES } from '../message.entity.js';
import { Trim } from '../../common/field-checks.js';

const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value);

export const MAX_CONTENT = 32_000;

export class CreateConversationRequest {
  @ApiPropertyOptional({ format: 'uuid', description: 'Ground answers on this knowledge base' })
  @IsOptional()
  @IsUUID()
  knowledge_base_id?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Generation model; defaults to the knowledge base’s, else the default generation model',
  })
  @IsOptional()
  @IsUUID()
  model_id?: string;

  @ApiPropertyOptional({ maxLength: 200, description: 'Defaults to a cut of the first message' })
  @IsOptional()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  title?: string;

  @ApiPropertyOptional({ maxLength: 8000, example: 'You answer questions about our HR policies. Be concise.' })
  @IsOptional()
  @IsString()
  @MaxLength(8000)
  system_prompt?: string;
}

export class UpdateConversationRequest {
  @ApiProperty({ maxLength: 200, example: 'Parental leave questions' })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  title!: string;
}

export class ConversationListQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  knowledge_base_id?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Admins only: another user’s conversations' })
  @IsOptional()
  @IsUUID()
  owner_id?: string;

  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20, description: 'Clamped to 100' })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  limit: number = 20;
}

export class SendMessageRequest {
  @ApiProperty({
    minLength: 1,
    maxLength: MAX_CONTENT,
    pattern: '\\S',
    description: 'Sent as written; must contain something other than whitespace, and no NUL characters (PostgreSQL cannot store them)',
    example: 'How many vacation days do I get?',
  })
  @IsString()
  @IsNotEmpty({ message: 'content must not be empty' })
  // Not trimmed: the user's own spacing is kept; only a message of nothing but whitespace is refused.
  @Matches(/\S/, { message: 'content must not be only whitespace' })
  // eslint-disable-next-line no-control-regex -- NUL is the character refused here
  @Matches(/^[^\u0000]*$/, { message: 'content must not contain NUL characters (\\u0000)' })
  @MaxLength(MAX_CONTENT)
  content!: string;
}

/**
 * The message body when it is plainly valid — only `content`, a string of at most MAX_CONTENT code
 * units holding something other than whitespace and no NUL — else undefined. A narrower check than
 * the decorators above (class-validator counts a surrogate pair as one character), so whatever it
 * accepts they accept; everything else goes to the validation pipe, which words the errors. The
 * message route runs it first: class-validator's metadata lookup was ~9 % of a turn's CPU.
 */
export function plainlyValidMessage(body: unknown): SendMessageRequest | undefined {
  if (typeof body !== 'object' || body === null || Object.getPrototypeOf(body) !== Object.prototype) return undefined;
  let keys = 0;
  for (const key in body) if (++keys > 1 || key !== 'content') return undefined;
  const { content } = body as { content?: unknown };
  if (typeof content !== 'string' || content.length > MAX_CONTENT || !/\S/.test(content) || content.includes('\u0000')) return undefined;
  return Object.assign(new SendMessageRequest(), { content });
}

export class MessageSourceDto {
  @ApiProperty({ format: 'uuid' }) document_id!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ type: String, nullable: true }) anchor!: string | null;
  @ApiProperty() score!: number;
}

export class CostDto {
  @ApiProperty({ type: String, nullable: true, example: '0.15' }) input_per_million!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '0.6' }) output_per_million!: string | null;
  @ApiProperty({ example: '0.000045' }) input_usd!: string;
  @ApiProperty({ example: '0.00012' }) output_usd!: string;
  @ApiProperty({ example: '0.000165' }) total_usd!: string;
  @ApiProperty({ enum: ['USD'] }) currency!: 'USD';
  @ApiPropertyOptional({ description: 'Tokens counted by Switchboard because the reply was cut before the upstream totalled them' })
  estimated?: boolean;
}

export class ModelSnapshotDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() display_name!: string;
  @ApiProperty() model_id!: string;
  @ApiProperty({ format: 'uuid' }) provider_id!: string;
  @ApiProperty() provider_name!: string;
  @ApiProperty() provider_kind!: string;
}

export class MessageErrorDto {
  @ApiProperty({ example: 'timeout_error' }) class!: string;
  @ApiProperty() message!: string;
  @ApiPropertyOptional({ type: Number, nullable: true }) status?: number | null;
}

export class MessageResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) conversation_id!: string;
  @ApiProperty({ description: 'Position in the conversation' }) seq!: number;
  @ApiProperty({ enum: ['user', 'assistant'] }) role!: 'user' | 'assistant';
  @ApiProperty() content!: string;
  @ApiProperty({ enum: MESSAGE_STATUSES }) status!: string;
  @ApiProperty({ type: [MessageSourceDto] }) sources!: MessageSourceDto[];
  @ApiProperty({ type: MessageErrorDto, nullable: true }) error!: MessageErrorDto | null;
  @ApiProperty({ type: Number, nullable: true }) input_tokens!: number | null;
  @ApiProperty({ type: Number, nullable: true }) output_tokens!: number | null;
  @ApiProperty({ type: CostDto, nullable: true }) cost!: CostDto | null;
  @ApiProperty({ type: Number, nullable: true }) latency_ms!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Time to the first streamed token' }) ttft_ms!: number | null;
  @ApiProperty({ type: ModelSnapshotDto, nullable: true }) model!: ModelSnapshotDto | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) completed_at!: string | null;
}

export class ConversationResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) owner_id!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) knowledge_base_id!: string | null;
  @ApiProperty({ format: 'uuid' }) model_id!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ type: String, nullable: true }) system_prompt!: string | null;
  @ApiProperty() message_count!: number;
  @ApiProperty() input_tokens!: number;
  @ApiProperty() output_tokens!: number;
  @ApiProperty({ example: '0.0123', description: 'USD, exact decimal' }) cost_usd!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}

export class ConversationWithMessages extends ConversationResponse {
  @ApiProperty({ type: [MessageResponse], description: 'Oldest first' }) messages!: MessageResponse[];
}

export class ConversationPage {
  @ApiProperty({ type: [ConversationResponse] }) items!: ConversationResponse[];
  @ApiProperty({ type: String, nullable: true }) next_cursor!: string | null;
}

export class ExchangeResponse {
  @ApiProperty({ type: MessageResponse }) user_message!: MessageResponse;
  @ApiProperty({ type: MessageResponse }) assistant_message!: MessageResponse;
}
