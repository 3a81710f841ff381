import type { ConversationResponse } from './dto/conversation.dto.js';

/**
 * A long conversation's read, written as JSON straight from the rows' text. PostgreSQL sends every
 * column as text anyway; parsing each message's jsonb and timestamps into objects and Dates only to
 * turn them back into JSON was most of the read's time and garbage (200 messages: 600 JSON.parse,
 * 400 Date parses, 200 response objects, then JSON.stringify of it all). Here jsonb goes through as
 * PostgreSQL wrote it and timestamps are reshaped as strings; only `content` is escaped.
 *
 * The output is the same JSON as `toMessageResponse` (same keys, order and values; jsonb keeps
 * PostgreSQL's spacing), which the conversations read test checks against the mapper.
 */
export const MESSAGE_TEXT_COLUMNS = `id, conversation_id, seq, role, content, status, sources::text AS sources,
  error::text AS error, input_tokens, output_tokens, cost::text AS cost, latency_ms, ttft_ms,
  model_snapshot::text AS model, (created_at AT TIME ZONE 'UTC')::text AS created_at,
  (completed_at AT TIME ZONE 'UTC')::text AS completed_at`;

/** A row selected with MESSAGE_TEXT_COLUMNS: jsonb and timestamps as text, integers parsed by pg. */
export interface MessageTextRow {
  id: string;
  conversation_id: string;
  seq: number;
  role: string;
  content: string;
  status: string;
  sources: string | null;
  error: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cost: string | null;
  latency_ms: number | null;
  ttft_ms: number | null;
  model: string | null;
  created_at: string;
  completed_at: string | null;
}

const PLAIN_UTC_TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?$/;

/**
 * `2026-12-05 08:00:00.123456` (a UTC `timestamp` in PostgreSQL's ISO output) as `toISOString()`
 * writes it: milliseconds truncated, as a Date made from it keeps them.
 */
export function isoFromUtcText(text: string): string {
  if (!PLAIN_UTC_TIMESTAMP.test(text)) return new Date(`${text.replace(' ', 'T')}Z`).toISOString();
  const millis = text.length > 20 ? text.slice(20, 23).padEnd(3, '0') : '000';
  return `${text.slice(0, 10)}T${text.slice(11, 19)}.${millis}Z`;
}

// role and status are checked by the table (plain words); ids are uuids: neither needs escaping.
export function messageJson(r: MessageTextRow): string {
  const completed = r.completed_at === null ? 'null' : `"${isoFromUtcText(r.completed_at)}"`;
  return (
    `{"id":"${r.id}","conversation_id":"${r.conversation_id}","seq":${r.seq},"role":"${r.role}",` +
    `"content":${JSON.stringify(r.content)},"status":"${r.status}","sources":${r.sources ?? '[]'},` +
    `"error":${r.error ?? 'null'},"input_tokens":${r.input_tokens},"output_tokens":${r.output_tokens},` +
    `"cost":${r.cost ?? 'null'},"latency_ms":${r.latency_ms},"ttft_ms":${r.ttft_ms},"model":${r.model ?? 'null'},` +
    `"created_at":"${isoFromUtcText(r.created_at)}","completed_at":${completed}}`
  );
}

/** `ConversationWithMessages` as JSON text. */
export function conversationWithMessagesJson(conversation: ConversationResponse, messages: MessageTextRow[]): string {
  const head = JSON.stringify(conversation);
  return `${head.slice(0, -1)},"messages":[${messages.map(messageJson).join(',')}]}`;
}
