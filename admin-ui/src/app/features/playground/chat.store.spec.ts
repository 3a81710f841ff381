import { HttpErrorResponse, provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, TestRequest } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { EventStreamClient, ServerSentEvent } from '../../core/http/event-stream';
import { aConversation, aMessage, aReply, CONVERSATION_ID, MODEL_ID, withMessages } from '../../../testing/playground-fixtures';
import { aProblem } from '../../../testing/session-fixtures';
import { ChatStore, mergeStored, TITLE_CHECKS_MS } from './chat.store';
import { PlaygroundService } from './playground.service';

/** The server side of one message stream, fed by the test event by event. */
class FakeStream {
  readonly calls: { path: string; body: unknown; signal?: AbortSignal }[] = [];
  private queue: (ServerSentEvent | { refusal: unknown } | 'end')[] = [];
  private wake: (() => void) | null = null;

  send(event: string, data: unknown): void {
    this.put({ event, data: JSON.stringify(data) });
  }

  end(): void {
    this.put('end');
  }

  /** The API refuses before streaming (the client rejects with an HttpErrorResponse). */
  refuse(error: unknown): void {
    this.put({ refusal: error });
  }

  async *post(path: string, body: unknown, signal?: AbortSignal): AsyncGenerator<ServerSentEvent> {
    this.calls.push({ path, body, signal });
    const aborted = new Promise<never>((_, reject) =>
      signal?.addEventListener('abort', () => reject(new DOMException('The operation was aborted.', 'AbortError'))),
    );
    aborted.catch(() => undefined);
    for (;;) {
      while (this.queue.length === 0) await Promise.race([new Promise<void>((wake) => (this.wake = wake)), aborted]);
      const next = this.queue.shift()!;
      if (next === 'end') return;
      if ('refusal' in next) throw next.refusal;
      yield next;
    }
  }

  private put(item: ServerSentEvent | { refusal: unknown } | 'end'): void {
    this.queue.push(item);
    this.wake?.();
  }
}

describe('ChatStore', () => {
  let store: ChatStore;
  let stream: FakeStream;
  let http: HttpTestingController;

  beforeEach(() => {
    stream = new FakeStream();
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        PlaygroundService,
        ChatStore,
        { provide: EventStreamClient, useValue: stream },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    store = TestBed.inject(ChatStore);
  });

  const request = (method: string, url: string): Promise<TestRequest> =>
    vi.waitFor(() => http.expectOne((candidate) => candidate.method === method && candidate.url === url));
  const contents = () => store.messages().map((m) => [m.role, m.content, m.status]);
  const settled = () => vi.waitFor(() => expect(store.streaming()).toBe(false));

  it('starts a conversation on the chosen model, then streams the reply in as deltas arrive', async () => {
    const sent = store.send('  Hello there  ', { model_id: MODEL_ID });
    const create = await request('POST', '/api/v1/conversations');
    expect(create.request.body).toEqual({ model_id: MODEL_ID });
    create.flush(aConversation());

    await vi.waitFor(() => expect(stream.calls).toHaveLength(1));
    expect(stream.calls[0].path).toBe(`/api/v1/conversations/${CONVERSATION_ID}/messages`);
    expect(stream.calls[0].body).toEqual({ content: 'Hello there' });
    expect(contents()).toEqual([
      ['user', 'Hello there', 'complete'],
      ['assistant', '', 'streaming'],
    ]);

    stream.send('user_message', aMessage({ content: 'Hello there' }));
    stream.send('delta', { text: 'This is ' });
    await vi.waitFor(() => expect(store.messages()[1].content).toBe('This is '));
    expect(store.messages()[0].id).toBe('user-1');
    expect(store.messages()[1].status).toBe('streaming');
    stream.send('delta', { text: 'a reply.' });
    await vi.waitFor(() => expect(store.messages()[1].content).toBe('This is a reply.'));

    const reply = aReply('This is a reply.');
    stream.send('assistant_message', reply);
    stream.end();
    await settled();
    expect(store.messages()[1]).toEqual(reply);

    // Once the reply ended, the conversation is read back for its title and totals.
    (await request('GET', `/api/v1/conversations/${CONVERSATION_ID}`)).flush(
      withMessages(aConversation({ title: 'Hello there', output_tokens: 9 }), [aMessage({ content: 'Hello there' }), reply]),
    );
    expect(await sent).toBe(true);
    expect(store.conversation()?.title).toBe('Hello there');
    expect(TestBed.inject(PlaygroundService).conversations()[0].title).toBe('Hello there');
  });

  it('shows the title a title model gives a new conversation shortly after its first reply', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const sent = store.send('Plan a weekend in Lisbon', { model_id: MODEL_ID });
      (await request('POST', '/api/v1/conversations')).flush(aConversation());
      await vi.waitFor(() => expect(stream.calls).toHaveLength(1));
      const reply = aReply('Here is a plan.');
      stream.send('user_message', aMessage({ content: 'Plan a weekend in Lisbon' }));
      stream.send('assistant_message', reply);
      stream.end();
      const cut = aConversation({ title: 'Plan a weekend in Lisbon', message_count: 2 });
      (await request('GET', `/api/v1/conversations/${CONVERSATION_ID}`)).flush(withMessages(cut, [aMessage(), reply]));
      expect(await sent).toBe(true);
      expect(store.conversation()?.title).toBe('Plan a weekend in Lisbon');

      // Not titled yet at the first look; the second finds it.
      await vi.advanceTimersByTimeAsync(TITLE_CHECKS_MS[0]);
      (await request('GET', `/api/v1/conversations/${CONVERSATION_ID}`)).flush(withMessages(cut, [aMessage(), reply]));
      await vi.advanceTimersByTimeAsync(TITLE_CHECKS_MS[1] - TITLE_CHECKS_MS[0]);
      const titled = aConversation({ title: 'Lisbon weekend plan', message_count: 2 });
      (await request('GET', `/api/v1/conversations/${CONVERSATION_ID}`)).flush(withMessages(titled, [aMessage(), reply]));
      await vi.waitFor(() => expect(store.conversation()?.title).toBe('Lisbon weekend plan'));
      expect(TestBed.inject(PlaygroundService).conversations()[0].title).toBe('Lisbon weekend plan');

      // Found: no more looks.
      await vi.advanceTimersByTimeAsync(TITLE_CHECKS_MS[2]);
      http.expectNone(`/api/v1/conversations/${CONVERSATION_ID}`);
    } finally {
      vi.useRealTimers();
    }
  });

  it('marks the reply failed with the problem an error event carries', async () => {
    store.conversation.set(aConversation({ message_count: 2 }));
    const sent = store.send('Hi');
    await vi.waitFor(() => expect(stream.calls).toHaveLength(1));
    stream.send('user_message', aMessage({ seq: 3, content: 'Hi' }));
    stream.send('delta', { text: 'Par' });
    stream.send('error', { ...aProblem(502, 'gpt-4o-mini is overloaded at api.openai.com (529): try again'), code: 'overloaded' });
    stream.end();
    await settled();

    const reply = store.messages()[1];
    expect(reply.status).toBe('failed');
    expect(reply.content).toBe('Par');
    expect(reply.error).toEqual({
      class: 'overloaded',
      message: 'gpt-4o-mini is overloaded at api.openai.com (529): try again',
      status: 502,
    });
    (await request('GET', `/api/v1/conversations/${CONVERSATION_ID}`)).flush(
      withMessages(aConversation(), [aMessage({ seq: 3, content: 'Hi' }), { ...reply, id: 'assistant-4', seq: 4 }]),
    );
    expect(await sent).toBe(true);
  });

  it('stops a streaming reply: the partial text stays, marked cancelled, as the server stored it', async () => {
    store.conversation.set(aConversation({ message_count: 2 }));
    const sent = store.send('Tell me a long story');
    await vi.waitFor(() => expect(stream.calls).toHaveLength(1));
    stream.send('user_message', aMessage({ seq: 3, content: 'Tell me a long story' }));
    stream.send('delta', { text: 'Once upon' });
    await vi.waitFor(() => expect(store.messages()[1].content).toBe('Once upon'));

    store.stop();
    await settled();
    expect(stream.calls[0].signal?.aborted).toBe(true);
    expect(contents()[1]).toEqual(['assistant', 'Once upon', 'cancelled']);

    // The server may still be writing the cancellation: its "streaming" copy does not undo ours.
    const storing = aMessage({ role: 'assistant', seq: 4, content: 'Once', status: 'streaming' });
    (await request('GET', `/api/v1/conversations/${CONVERSATION_ID}`)).flush(
      withMessages(aConversation(), [aMessage({ seq: 3, content: 'Tell me a long story' }), storing]),
    );
    const cancelled = { ...storing, status: 'cancelled' as const, error: { class: 'client_closed', message: 'The client went away' } };
    (await request('GET', `/api/v1/conversations/${CONVERSATION_ID}`)).flush(
      withMessages(aConversation(), [aMessage({ seq: 3, content: 'Tell me a long story' }), { ...cancelled, content: 'Once upon' }]),
    );
    expect(await sent).toBe(true);
    expect(store.messages()[1]).toMatchObject({ id: 'assistant-4', status: 'cancelled', content: 'Once upon' });
  });

  it('takes a message refused before anything was stored back off the page, with the reason', async () => {
    store.conversation.set(aConversation());
    const sent = store.send('Anyone there?');
    await vi.waitFor(() => expect(stream.calls).toHaveLength(1));
    stream.refuse(new HttpErrorResponse({ status: 410, error: aProblem(410, 'The conversation’s model was retired') }));
    expect(await sent).toBe(false);
    expect(store.messages()).toEqual([]);
    expect(store.error()).toBe('The conversation’s model was retired');
  });

  it('opens a conversation with its messages, and starts afresh on "new conversation"', async () => {
    const opened = store.open(CONVERSATION_ID);
    expect(store.loading()).toBe(true);
    (await request('GET', `/api/v1/conversations/${CONVERSATION_ID}`)).flush(
      withMessages(aConversation({ title: 'Earlier' }), [aMessage(), aReply('Hi!')]),
    );
    await opened;
    expect(store.conversation()?.title).toBe('Earlier');
    expect(contents()).toEqual([
      ['user', 'Hello', 'complete'],
      ['assistant', 'Hi!', 'complete'],
    ]);

    store.startNew();
    expect(store.conversation()).toBeNull();
    expect(store.messages()).toEqual([]);
  });

  it('keeps what this page knows of a reply the server still lists as streaming', () => {
    const local = [aMessage({ role: 'assistant', seq: 4, id: 'draft-assistant-1', content: 'Once upon', status: 'cancelled' })];
    const stored = [aMessage({ role: 'assistant', seq: 4, content: 'Once', status: 'streaming' })];
    expect(mergeStored(stored, local)[0]).toMatchObject({ id: 'assistant-4', content: 'Once upon', status: 'cancelled' });
  });
});
