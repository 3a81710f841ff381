import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { MessageResponse } from '../../api/models';
import { aMessage, aReply } from '../../../testing/playground-fixtures';
import { ChatMessageComponent } from './chat-message.component';

describe('ChatMessageComponent', () => {
  let fixture: ComponentFixture<ChatMessageComponent>;

  function render(message: MessageResponse): HTMLElement {
    TestBed.configureTestingModule({ imports: [ChatMessageComponent], providers: [provideRouter([])] });
    fixture = TestBed.createComponent(ChatMessageComponent);
    fixture.componentRef.setInput('message', message);
    fixture.detectChanges();
    return fixture.nativeElement as HTMLElement;
  }

  const failure = { class: 'connection_error', message: 'nothing is listening at localhost:11434', status: null };

  it('shows a failed reply with no text as its problem alone, without an empty bubble', () => {
    const root = render(aReply('', { status: 'failed', error: failure, input_tokens: 0, output_tokens: 0 }));
    expect(root.querySelector('.bubble')).toBeNull();
    expect(root.querySelector('[data-testid="message-error"]')?.textContent).toContain('nothing is listening at localhost:11434');
    expect(root.querySelector('[data-testid="message-meta"]')).not.toBeNull();
  });

  it('keeps the text a reply had when it failed or was stopped, above the problem', () => {
    const root = render(
      aReply('The first half', { status: 'cancelled', error: { class: 'client_closed', message: 'gone', status: null } }),
    );
    expect(root.querySelector('[data-testid="message-content"]')?.textContent).toBe('The first half');
    expect(root.querySelector('[data-testid="message-error"]')?.textContent).toContain('Stopped before the reply finished');
  });

  it('shows a reply still waiting for its first token as a bubble that says so', () => {
    const root = render(aReply('', { status: 'streaming', completed_at: null }));
    expect(root.querySelector('.bubble .thinking')?.textContent).toBe('Waiting for the first token…');
    expect(root.querySelector('[data-testid="message-meta"]')).toBeNull();
  });

  it('shows the user’s message in its bubble', () => {
    const root = render(aMessage({ content: 'Hello there' }));
    expect(root.querySelector('.bubble [data-testid="message-content"]')?.textContent).toBe('Hello there');
  });
});
