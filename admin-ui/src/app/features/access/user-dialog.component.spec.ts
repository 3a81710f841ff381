import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MAT_DIALOG_DATA, MatDialogRef } from '@angular/material/dialog';
import { MatSelectHarness } from '@angular/material/select/testing';
import { MatSlideToggleHarness } from '@angular/material/slide-toggle/testing';
import type { UserResponse } from '../../api/models';
import { testing } from '../../../testing/harness';
import { aProblem, aUser } from '../../../testing/session-fixtures';
import { AccessService } from './access.service';
import { UserDialogComponent } from './user-dialog.component';

const USERS = '/api/v1/users';

// No one is signed in: the service behind the dialog then loads no lists, and only the dialog's calls are seen.
describe('UserDialogComponent', () => {
  let fixture: ComponentFixture<UserDialogComponent>;
  let http: HttpTestingController;
  let t: ReturnType<typeof testing<UserDialogComponent>>;
  let closedWith: UserResponse | undefined;

  function open(original: UserResponse | null = null) {
    closedWith = undefined;
    TestBed.configureTestingModule({
      imports: [UserDialogComponent],
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        AccessService,
        { provide: MAT_DIALOG_DATA, useValue: original },
        { provide: MatDialogRef, useValue: { close: (value: UserResponse) => (closedWith = value) } },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(UserDialogComponent);
    t = testing(fixture, http);
    fixture.detectChanges();
  }

  const harness = () => TestbedHarnessEnvironment.loader(fixture);
  const role = async () => (await harness()).getHarness(MatSelectHarness.with({ selector: '[data-testid="user-role-select"]' }));
  const submit = () => t.click('save-user-button');

  afterEach(() => http.verify());

  describe('adding a user', () => {
    it('says what is missing instead of sending an incomplete form', async () => {
      open();
      await submit();
      expect(t.text('user-email-error')).toBe('Enter their email address');
      expect(t.text('user-name-error')).toBe('Enter their name');
      expect(t.text('user-password-error')).toBe('Choose a password');
      http.expectNone(USERS);
    });

    it('checks the email address and the password length', async () => {
      open();
      await t.type('user-email-input', 'not-an-address');
      await t.type('user-name-input', 'Grace');
      await t.type('user-password-input', 'short');
      await submit();
      expect(t.text('user-email-error')).toBe('Enter a valid email address, like name@example.com');
      expect(t.text('user-password-error')).toBe('Use at least 12 characters');
      expect(t.byTestId('user-name-error')).toBeNull();
      http.expectNone(USERS);
    });

    it('sends the trimmed email and name with the role chosen, and closes with the new user', async () => {
      open();
      expect(await (await role()).getValueText()).toBe('Member');
      await t.type('user-email-input', '  grace@example.com ');
      await t.type('user-name-input', ' Grace Hopper ');
      await (await role()).clickOptions({ text: 'Auditor' });
      await t.until(() => expect(t.allText()).toContain('Read-only registry and audit log'));
      await t.type('user-password-input', 'a long enough password');
      await submit();

      const create = await t.request(USERS, 'POST');
      expect(create.request.body).toEqual({
        email: 'grace@example.com',
        display_name: 'Grace Hopper',
        role: 'auditor',
        password: 'a long enough password',
      });
      const created = aUser('auditor', { email: 'grace@example.com', display_name: 'Grace Hopper' });
      create.flush(created, { status: 201, statusText: 'Created' });
      await t.until(() => expect(closedWith).toEqual(created));
    });

    it('shows the field errors of a 422 under their fields and stays open', async () => {
      open();
      await t.type('user-email-input', 'admin@example.com');
      await t.type('user-name-input', 'Another admin');
      await t.type('user-password-input', 'password1234');
      await submit();
      (await t.request(USERS, 'POST')).flush(
        aProblem(422, 'The request has 2 invalid fields: email, password', [
          { field: 'email', message: 'A user with this email already exists' },
          { field: 'password', message: 'password is too common' },
        ]),
        { status: 422, statusText: 'Unprocessable Content' },
      );
      await t.until(() => expect(t.text('user-email-error')).toBe('A user with this email already exists'));
      expect(t.text('user-password-error')).toBe('password is too common');
      expect(t.text('user-form-error')).toContain('2 invalid fields');
      expect(closedWith).toBeUndefined();

      // Editing a field clears its server error.
      await t.type('user-password-input', 'a much better passphrase');
      expect(t.byTestId('user-password-error')).toBeNull();
      expect(t.text('user-email-error')).toBe('A user with this email already exists');
    });
  });

  describe('editing a user', () => {
    const member = aUser('member', { id: 'u-1', email: 'max@example.com', display_name: 'Max' });

    it('sends only what an edit can change, without a password left empty', async () => {
      open(member);
      expect(t.byTestId('user-email-input')).toBeNull();
      expect(t.byTestId<HTMLInputElement>('user-name-input')!.value).toBe('Max');
      await (await role()).clickOptions({ text: 'Administrator' });
      await (await (await harness()).getHarness(MatSlideToggleHarness)).toggle();
      await submit();

      const update = await t.request(`${USERS}/u-1`, 'PATCH');
      expect(update.request.body).toEqual({ display_name: 'Max', role: 'admin', is_active: false });
      const saved = { ...member, role: 'admin' as const, is_active: false };
      update.flush(saved);
      await t.until(() => expect(closedWith).toEqual(saved));
    });

    it('resets the password when one is typed, and shows a refused one under its field', async () => {
      open(member);
      expect(t.allText()).toContain('Resets it and signs them out everywhere');
      await t.type('user-password-input', 'correct horse battery');
      await submit();
      const reset = await t.request(`${USERS}/u-1`, 'PATCH');
      expect(reset.request.body).toEqual({ display_name: 'Max', role: 'member', is_active: true, password: 'correct horse battery' });
      reset.flush(aProblem(422, 'The request has 1 invalid field: password', [{ field: 'password', message: 'password is too common' }]), {
        status: 422,
        statusText: 'Unprocessable Content',
      });
      await t.until(() => expect(t.text('user-password-error')).toBe('password is too common'));
      expect(closedWith).toBeUndefined();
    });
  });
});
