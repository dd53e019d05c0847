import { CsrfInput } from './layout.js';

export interface LoginFormProps {
  readonly csrfToken: string;
  readonly username: string;
  /** Where to go after logging in (already checked to be a local path). */
  readonly next: string;
  /** Why the last attempt failed; shown above the form and tied to the inputs. */
  readonly error?: string | undefined;
  /** Said to a signed-in user who is not staff. */
  readonly notice?: string | undefined;
}

/** The login form; `error` is shown above it and tied to the inputs. */
export function LoginForm({ csrfToken, username, next, error, notice }: LoginFormProps) {
  const described = error ? { 'aria-describedby': 'login-error', 'aria-invalid': 'true' } : {};
  return (
    <>
      {notice && <p class="errornote">{notice}</p>}
      {error && (
        <p class="errornote" id="login-error" role="alert">
          {error}
        </p>
      )}
      <form method="post" action="/admin/login/" id="login-form" class="login-form">
        <CsrfInput token={csrfToken} />
        <input type="hidden" name="next" value={next} />
        <div class="form-row">
          <label for="id_username" class="required">
            Username:
          </label>
          <input
            type="text"
            name="username"
            id="id_username"
            value={username}
            autocomplete="username"
            autocapitalize="none"
            maxlength={150}
            required
            autofocus
            {...described}
          />
        </div>
        <div class="form-row">
          <label for="id_password" class="required">
            Password:
          </label>
          <input
            type="password"
            name="password"
            id="id_password"
            autocomplete="current-password"
            required
            {...described}
          />
        </div>
        <div class="submit-row">
          <button type="submit" class="button default">
            Log in
          </button>
        </div>
      </form>
    </>
  );
}

export interface PasswordField {
  readonly name: string;
  readonly label: string;
  readonly autocomplete: string;
  readonly help?: string;
}

/** Messages by field name; `__all__` holds those about the whole form. */
export type PasswordErrors = Readonly<Record<string, readonly string[]>>;

function ErrorNote({ errors }: { readonly errors: PasswordErrors }) {
  const count = Object.keys(errors).length;
  if (count === 0) return null;
  const formErrors = errors['__all__'];
  return (
    <div class="errornote" role="alert">
      <p>{count === 1 ? 'Please correct the error below.' : 'Please correct the errors below.'}</p>
      {formErrors && (
        <ul class="errorlist nonfield">
          {formErrors.map((e) => (
            <li>{e}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

function PasswordRow({
  field,
  errors,
}: {
  readonly field: PasswordField;
  readonly errors?: readonly string[] | undefined;
}) {
  const id = `id_${field.name}`;
  const described = [...(errors ? [`${id}_error`] : []), ...(field.help ? [`${id}_helptext`] : [])];
  return (
    <div class={errors ? 'form-row errors' : 'form-row'}>
      <label for={id} class="required">
        {field.label}:
      </label>
      <div class="field-input">
        <input
          type="password"
          name={field.name}
          id={id}
          autocomplete={field.autocomplete}
          required
          aria-describedby={described.length ? described.join(' ') : undefined}
          aria-invalid={errors ? 'true' : undefined}
        />
        {errors && (
          <ul class="errorlist" id={`${id}_error`}>
            {errors.map((e) => (
              <li>{e}</li>
            ))}
          </ul>
        )}
        {field.help && (
          <p class="help" id={`${id}_helptext`}>
            {field.help}
          </p>
        )}
      </div>
    </div>
  );
}

export interface PasswordFormProps {
  readonly csrfToken: string;
  readonly fields: readonly PasswordField[];
  readonly errors: PasswordErrors;
  /** The submit button's text. */
  readonly submit: string;
}

/** A form of password inputs (own password change, or setting a user's password). */
export function PasswordForm({ csrfToken, fields, errors, submit }: PasswordFormProps) {
  return (
    <>
      <ErrorNote errors={errors} />
      <form method="post" class="change-form password-form" novalidate>
        <CsrfInput token={csrfToken} />
        <fieldset class="module aligned">
          {fields.map((f) => (
            <PasswordRow field={f} errors={errors[f.name]} />
          ))}
        </fieldset>
        <div class="submit-row">
          <button type="submit" class="button default">
            {submit}
          </button>
        </div>
      </form>
    </>
  );
}

/** /admin/password_change/: the signed-in user's own password change. */
export function OwnPasswordChange(props: Omit<PasswordFormProps, 'submit'>) {
  return (
    <>
      <p>
        Please enter your old password, for security’s sake, and then enter your new password twice so we can
        verify you typed it in correctly.
      </p>
      <PasswordForm {...props} submit="Change my password" />
    </>
  );
}

/** /admin/auth/user/<id>/password/: setting another user's password. */
export function UserPasswordChange({
  name,
  ...props
}: Omit<PasswordFormProps, 'submit'> & { readonly name: string }) {
  return (
    <>
      <p>
        Enter a new password for the user <strong>{name}</strong>. Their sessions end, so they must log in
        again.
      </p>
      <PasswordForm {...props} submit="Change password" />
    </>
  );
}

/** GET /admin/logout/: logging out is a POST, so this page offers the button. */
export function LogoutConfirm({ csrfToken }: { readonly csrfToken: string }) {
  return (
    <>
      <p>Logging out needs the “Log out” button, so that no link or image can sign you out.</p>
      <form method="post" action="/admin/logout/">
        <CsrfInput token={csrfToken} />
        <button type="submit" class="button default">
          Log out
        </button>
      </form>
    </>
  );
}

/** After logging out. */
export function LoggedOut() {
  return (
    <>
      <p>Thanks for spending some quality time with the web site today.</p>
      <p>
        <a href="/admin/login/" class="button">
          Log in again
        </a>
      </p>
    </>
  );
}

/** After a successful password change. */
export function PasswordChanged() {
  return <p>Your password was changed.</p>;
}
