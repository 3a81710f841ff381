import { BreakpointObserver } from '@angular/cdk/layout';
import { ChangeDetectionStrategy, Component, computed, inject, viewChild } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatDividerModule } from '@angular/material/divider';
import { MatIconModule } from '@angular/material/icon';
import { MatListModule } from '@angular/material/list';
import { MatMenuModule } from '@angular/material/menu';
import { MatSidenav, MatSidenavModule } from '@angular/material/sidenav';
import { MatToolbarModule } from '@angular/material/toolbar';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { map } from 'rxjs';
import { ROLE_LABELS } from '../auth/roles';
import { SessionService } from '../auth/session.service';
import { areaLabel, areasFor, ConsoleArea } from '../navigation/console-areas';

interface NavSection {
  name: ConsoleArea['section'];
  items: { id: string; path: string; icon: string; label: string }[];
}

/** The signed-in frame: toolbar with the account menu, side nav of the areas the role may open. */
@Component({
  selector: 'sb-shell',
  imports: [
    MatToolbarModule,
    MatSidenavModule,
    MatListModule,
    MatIconModule,
    MatButtonModule,
    MatMenuModule,
    MatDividerModule,
    RouterOutlet,
    RouterLink,
    RouterLinkActive,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './shell.component.html',
  styleUrl: './shell.component.scss',
})
export class ShellComponent {
  private readonly session = inject(SessionService);
  private readonly sidenav = viewChild.required(MatSidenav);

  /** Below a laptop width the nav slides over the content instead of taking a column. */
  protected readonly compact = toSignal(
    inject(BreakpointObserver)
      .observe('(max-width: 959.98px)')
      .pipe(map((state) => state.matches)),
    { initialValue: false },
  );

  protected readonly user = this.session.user;
  protected readonly roleLabel = computed(() => {
    const role = this.session.role();
    return role ? ROLE_LABELS[role] : '';
  });
  protected readonly initials = computed(() => initialsOf(this.user()?.display_name || this.user()?.email || '?'));

  protected readonly sections = computed<NavSection[]>(() => {
    const role = this.session.role();
    const sections: NavSection[] = [];
    for (const candidate of areasFor(role)) {
      let section = sections.find((existing) => existing.name === candidate.section);
      if (!section) sections.push((section = { name: candidate.section, items: [] }));
      section.items.push({ id: candidate.id, path: candidate.path, icon: candidate.icon, label: areaLabel(candidate, role) });
    }
    return sections;
  });

  protected toggleNav(): void {
    void this.sidenav().toggle();
  }

  protected closeNavIfCompact(): void {
    if (this.compact()) void this.sidenav().close();
  }

  protected signOut(): void {
    void this.session.signOut();
  }
}

function initialsOf(name: string): string {
  const words = name.split(/[\s@._-]+/).filter(Boolean);
  return (words.length > 1 ? words[0][0] + words[1][0] : name.slice(0, 2)).toUpperCase();
}
