import { ArrayMaxSize, IsBoolean, IsInt, IsString, IsUUID, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';

/**
 * Every setting an admin can change: its default, what it is for, and a class that validates the
 * `value` member. A key missing here does not exist (404), so typos cannot create settings.
 */
export interface SettingDefinition {
  description: string;
  default: unknown;
  /** What kind of value it holds, for editors: the console picks its input by it. */
  type: SettingType;
  schema: new () => { value: unknown };
}

export const SETTING_TYPES = ['boolean', 'integer', 'string_list', 'generation_model'] as const;
export type SettingType = (typeof SETTING_TYPES)[number];

class HostList {
  @ArrayMaxSize(200)
  @IsString({ each: true })
  @MaxLength(253, { each: true })
  @Matches(/^(\*\.)?[a-z0-9.:[\]-]+(\/\d{1,3})?$/i, { each: true, message: 'each entry must be a host name, IP address or CIDR range' })
  value!: string[];
}

class Flag {
  @IsBoolean()
  value!: boolean;
}

/** A model's id, or null for none; that it names a model of the right kind is checked when it is set. */
class ModelReference {
  @ValidateIf((_, value) => value !== null)
  @IsUUID('all', { message: 'value must be a model id or null' })
  value!: string | null;
}

const intBetween = (min: number, max: number) => {
  class Bounded {
    @IsInt()
    @Min(min)
    @Max(max)
    value!: number;
  }
  return Bounded;
};

export const SETTINGS = {
  'security.allowed_private_hosts': {
    description: 'Private hosts, IPs or CIDR ranges that connection tests and upstream calls may reach (metadata addresses stay refused)',
    default: [],
    type: 'string_list',
    schema: HostList,
  },
  'security.allow_loopback_endpoints': {
    description: 'Whether providers may point at loopback addresses (local Ollama, LiteLLM)',
    default: true,
    type: 'boolean',
    schema: Flag,
  },
  'upstream.max_retries': {
    description: 'Retries after a failed upstream call (429, 5xx, network), with exponential backoff',
    default: 2,
    type: 'integer',
    schema: intBetween(0, 10),
  },
  'upstream.default_timeout_ms': {
    description: 'Upstream timeout when a provider does not set its own',
    default: 30_000,
    type: 'integer',
    schema: intBetween(1_000, 600_000),
  },
  'upstream.queue_wait_ms': {
    description: "Longest wait for one of a provider's max_concurrency slots; after it the call is refused with 429 and Retry-After",
    default: 10_000,
    type: 'integer',
    schema: intBetween(0, 120_000),
  },
  'upstream.max_retry_wait_ms': {
    description: 'Longest wait before a retry; an upstream asking for a longer Retry-After has its 429 passed on to the caller instead',
    default: 10_000,
    type: 'integer',
    schema: intBetween(0, 120_000),
  },
  'upstream.breaker_failures': {
    description: "Consecutive failures (5xx, timeouts, unreachable) that open a provider's circuit breaker",
    default: 5,
    type: 'integer',
    schema: intBetween(1, 100),
  },
  'upstream.breaker_cooldown_ms': {
    description: 'How long an open circuit breaker fails calls fast before it lets one trial call through',
    default: 30_000,
    type: 'integer',
    schema: intBetween(1_000, 600_000),
  },
  'knowledge.max_upload_bytes': {
    description: 'Largest document accepted for upload',
    default: 20 * 1024 * 1024,
    type: 'integer',
    schema: intBetween(1024, 512 * 1024 * 1024),
  },
  'conversations.messages_per_minute_per_user': {
    description: 'Messages per minute each user may send in conversations (0 = unlimited)',
    default: 0,
    type: 'integer',
    schema: intBetween(0, 1_000_000),
  },
  'conversations.title_model': {
    description: 'A generation model that names each new conversation from its first message (none: the title is the message cut short)',
    default: null,
    type: 'generation_model',
    schema: ModelReference,
  },
  'gateway.requests_per_minute_per_key': {
    description: 'Requests per minute each API key may make to the OpenAI-compatible gateway (0 = unlimited)',
    default: 0,
    type: 'integer',
    schema: intBetween(0, 1_000_000),
  },
} satisfies Record<string, SettingDefinition>;

export type SettingKey = keyof typeof SETTINGS;
export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];
