import { ComponentFixture, TestBed } from '@angular/core/testing';
import type { TestResultDto } from '../api/models';
import { aTestResult } from '../../testing/registry-fixtures';
import { TestResultComponent, verdict } from './test-result.component';

describe('TestResultComponent', () => {
  let fixture: ComponentFixture<TestResultComponent>;

  function render(result: TestResultDto): HTMLElement {
    TestBed.configureTestingModule({ imports: [TestResultComponent] });
    fixture = TestBed.createComponent(TestResultComponent);
    fixture.componentRef.setInput('result', result);
    fixture.detectChanges();
    return fixture.nativeElement as HTMLElement;
  }

  const text = (root: HTMLElement, id: string) => root.querySelector(`[data-testid="${id}"]`)?.textContent?.replace(/\s+/g, ' ').trim();

  it('lists every stage with its outcome and latency; skipped stages have no latency', () => {
    const root = render(aTestResult());
    const stages = [...root.querySelectorAll<HTMLElement>('[data-testid^="test-stage-"]')];
    expect(stages.map((stage) => [stage.dataset['testid'], stage.dataset['status']])).toEqual([
      ['test-stage-dns', 'ok'],
      ['test-stage-connect', 'ok'],
      ['test-stage-auth', 'ok'],
      ['test-stage-model', 'skipped'],
      ['test-stage-probe', 'skipped'],
    ]);
    const parts = (stage: string) =>
      ['.name', '.status', '.latency', '.detail'].map(
        (part) => root.querySelector(`[data-testid="test-stage-${stage}"] ${part}`)?.textContent,
      );
    expect(parts('connect')).toEqual(['Connect / TLS', 'OK', '2 ms', 'TCP to 127.0.0.1:11434']);
    expect(parts('probe')).toEqual(['Probe call', 'Skipped', '—', 'no model to probe']);
    expect(text(root, 'test-verdict')).toBe('Connection OK');
    expect(root.querySelector('[data-testid="test-failure"]')).toBeNull();
  });

  it('explains a failure: the stage, the error class, the upstream status and the one-line message', () => {
    const root = render(aTestResult({ ok: false }));
    expect(text(root, 'test-verdict')).toBe('Failed at authentication');
    expect(text(root, 'test-message')).toBe('the key was rejected by localhost:11434 (401): check the key');
    expect(text(root, 'test-error-class')).toBe('authentication_error');
    expect(text(root, 'test-upstream-status')).toBe('401');
    expect(root.querySelector<HTMLElement>('[data-testid="test-stage-auth"]')?.dataset['status']).toBe('failed');
    expect(root.classList).toContain('failed');
  });

  it('leaves out what a failure does not have (no upstream status for a DNS failure)', () => {
    const root = render(
      aTestResult({ ok: false, failed_stage: 'dns', error_class: 'connection_error', upstream_status: null, message: 'no such host' }),
    );
    expect(text(root, 'test-verdict')).toBe('Failed at dns');
    expect(root.querySelector('[data-testid="test-upstream-status"]')).toBeNull();
    expect(text(root, 'test-error-class')).toBe('connection_error');
  });

  it('words a passed probe with the model it called', () => {
    expect(verdict(aTestResult({ model_id: 'gpt-4o-mini' }))).toBe('OK: gpt-4o-mini answered');
  });
});
