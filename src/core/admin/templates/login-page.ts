import type { FastifyRequest } from 'fastify';
import { html, type SafeHtml } from '../../html/html.js';
import { csrfInput } from './layout.js';

/** The login form; `error` is shown above it and tied to the inputs. */
export function loginForm(
  request: FastifyRequest,
  input: { username: string; next: string; error?: string; notice?: string },
): SafeHtml {
  const described = input.error ? html` aria-describedby="login-error" aria-invalid="true"` : '';
  return html`${input.notice ? html`<p class="errornote">${input.notice}</p>` : ''}
${input.error ? html`<p class="errornote" id="login-error" role="alert">${input.error}</p>` : ''}
<form method="post" action="/admin/login/" id="login-form" class="login-form">
${csrfInput(request)}
<input type="hidden" name="next" value="${input.next}">
<div class="form-row"><label for="id_username" class="required">Username:</label>
<input type="text" name="username" id="id_username" value="${input.username}" autocomplete="username" autocapitalize="none" maxlength="150" required autofocus${described}></div>
<div class="form-row"><label for="id_password" class="required">Password:</label>
<input type="password" name="password" id="id_password" autocomplete="current-password" required${described}></div>
<div class="submit-row"><button type="submit" class="button default">Log in</button></div>
</form>`;
}

/** A form of password inputs (own password change, or setting a user's password). */
export function passwordForm(
  request: FastifyRequest,
  fields: readonly { name: string; label: string; autocomplete: string; help?: string }[],
  errors: Record<string, string[]>,
  submit: string,
): SafeHtml {
  const formErrors = errors['__all__'];
  const count = Object.keys(errors).length;
  return html`${count ? html`<div class="errornote" role="alert"><p>${count === 1 ? 'Please correct the error below.' : 'Please correct the errors below.'}</p>${formErrors ? html`<ul class="errorlist nonfield">${formErrors.map((e) => html`<li>${e}</li>`)}</ul>` : ''}</div>` : ''}
<form method="post" class="change-form password-form" novalidate>
${csrfInput(request)}
<fieldset class="module aligned">
${fields.map((f) => {
  const errs = errors[f.name];
  const ids = [...(errs ? [`id_${f.name}_error`] : []), ...(f.help ? [`id_${f.name}_helptext`] : [])];
  return html`<div class="form-row${errs ? ' errors' : ''}"><label for="id_${f.name}" class="required">${f.label}:</label>
<div class="field-input"><input type="password" name="${f.name}" id="id_${f.name}" autocomplete="${f.autocomplete}" required${ids.length ? html` aria-describedby="${ids.join(' ')}"` : ''}${errs ? html` aria-invalid="true"` : ''}>
${errs ? html`<ul class="errorlist" id="id_${f.name}_error">${errs.map((e) => html`<li>${e}</li>`)}</ul>` : ''}
${f.help ? html`<p class="help" id="id_${f.name}_helptext">${f.help}</p>` : ''}</div></div>`;
})}
</fieldset>
<div class="submit-row"><button type="submit" class="button default">${submit}</button></div>
</form>`;
}
