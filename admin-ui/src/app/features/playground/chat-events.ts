import type { MessageResponse, ProblemResponse } from '../../api/models';
import type { ServerSentEvent } from '../../core/http/event-stream';

/** The events of `POST /conversations/{id}/messages` with `Accept: text/event-stream`. */
export type ChatEvent =
  | { type: 'user_message'; message: MessageResponse }
  | { type: 'delta'; text: string }
  | { type: 'assistant_message'; message: MessageResponse }
  | { type: 'error'; problem: ProblemResponse };

/** The typed event, or null for one this console does not know (a newer server may add some). */
export function toChatEvent({ event, data }: ServerSentEvent): ChatEvent | null {
  let payload: unknown;
  try {
    payload = JSON.parse(data);
  } catch {
    return null;
  }
  if (!payload || typeof payload !== 'object') return null;
  switch (event) {
    case 'user_message':
    case 'assistant_message':
      return { type: event, message: payload as MessageResponse };
    case 'delta': {
      const text = (payload as { text?: unknown }).text;
      return typeof text === 'string' ? { type: 'delta', text } : null;
    }
    case 'error':
      return { type: 'error', problem: payload as ProblemResponse };
    default:
      return null;
  }
}
