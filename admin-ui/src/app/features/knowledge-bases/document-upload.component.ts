import { ChangeDetectionStrategy, Component, computed, ElementRef, inject, input, signal, viewChild } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatTooltipModule } from '@angular/material/tooltip';
import { ACCEPTED_FILES, DocumentUploads, UploadItem, uploadPercent } from './document-uploads';
import { formatBytes } from './knowledge-base-state';

const ICONS: Record<UploadItem['status'], string> = {
  queued: 'schedule',
  uploading: 'upload',
  processing: 'hourglass_top',
  done: 'check_circle',
  duplicate: 'content_copy',
  failed: 'error_outline',
};

/** Drop files or pick them; each shows its upload progress, then what the API said (duplicate, refused…). */
@Component({
  selector: 'sb-document-upload',
  imports: [MatButtonModule, MatIconModule, MatProgressBarModule, MatTooltipModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './document-upload.component.html',
  styleUrl: './document-upload.component.scss',
})
export class DocumentUploadComponent {
  protected readonly uploads = inject(DocumentUploads);
  readonly knowledgeBaseId = input.required<string>();

  private readonly picker = viewChild.required<ElementRef<HTMLInputElement>>('picker');
  protected readonly over = signal(false);
  protected readonly accepted = ACCEPTED_FILES;
  protected readonly icons = ICONS;
  protected readonly percent = uploadPercent;
  protected readonly size = formatBytes;
  protected readonly limit = computed(() => {
    const max = this.uploads.maxBytes();
    return max === null ? '' : `, up to ${formatBytes(max)} each`;
  });
  protected readonly finished = computed(() => this.uploads.items().some((item) => !isRunning(item)));

  constructor() {
    void this.uploads.loadLimit();
  }

  protected choose(): void {
    this.picker().nativeElement.click();
  }

  protected picked(event: Event): void {
    const input = event.target as HTMLInputElement;
    this.add(input.files);
    // The same file can be picked again (to see the duplicate answer).
    input.value = '';
  }

  protected dragOver(event: DragEvent): void {
    if (!event.dataTransfer?.types.includes('Files')) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    this.over.set(true);
  }

  protected drop(event: DragEvent): void {
    event.preventDefault();
    this.over.set(false);
    this.add(event.dataTransfer?.files ?? null);
  }

  protected running(item: UploadItem): boolean {
    return isRunning(item);
  }

  private add(files: FileList | null): void {
    if (files?.length) this.uploads.add(this.knowledgeBaseId(), Array.from(files));
  }
}

function isRunning(item: UploadItem): boolean {
  return item.status === 'queued' || item.status === 'uploading' || item.status === 'processing';
}
