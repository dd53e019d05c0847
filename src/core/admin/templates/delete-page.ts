import type { FastifyRequest } from 'fastify';
import { html, type SafeHtml } from '../../html/html.js';
import type { Registration } from '../registration.js';
import type { DeleteNode, DeletePlan } from '../services/delete-plan.js';
import type { RefusedNode } from '../services/delete-refusals.js';
import { csrfInput } from './layout.js';

function tree(nodes: readonly DeleteNode[]): SafeHtml {
  return html`<ul>${nodes.map(
    (n) =>
      html`<li>${n.model}: ${n.url ? html`<a href="${n.url}">${n.repr}</a>` : n.repr}${n.children.length ? tree(n.children) : ''}</li>`,
  )}</ul>`;
}

export interface DeletePageInput {
  readonly reg: Registration;
  readonly plan: DeletePlan;
  /** Selected objects the registration's `deleteBlockers` will not let go, each saying why. */
  readonly refused: readonly RefusedNode[];
  /** "the question “What?”" or "the selected questions". */
  readonly what: string;
  /** Hidden inputs the confirming form repeats (the bulk action and the selection). */
  readonly hidden: readonly [string, string][];
  readonly action: string;
  readonly back: string;
}

/**
 * Django's delete confirmation: what will be deleted (nested, with a summary), what will be
 * updated, and what prevents the deletion (then no button): selected objects that may not be
 * deleted and why (a primary address), related objects that protect them, or the permissions
 * that are missing.
 */
export function deletePage(request: FastifyRequest, input: DeletePageInput): SafeHtml {
  const { plan, what } = input;
  if (input.refused.length > 0)
    return html`<p class="errornote" role="alert">Deleting ${what} is not possible:</p>
<div class="delete-list refused"><ul>${input.refused.map(
      (n) =>
        html`<li>${n.model}: ${n.url ? html`<a href="${n.url}">${n.repr}</a>` : n.repr}<p>${n.message}</p></li>`,
    )}</ul></div>
${plan.protected.length ? html`<p>Deleting ${what} would also require deleting the following protected related objects:</p><div class="delete-list protected">${tree(plan.protected)}</div>` : ''}
<p><a class="button" href="${input.back}">Go back</a></p>`;
  if (plan.protected.length > 0)
    return html`<p class="errornote" role="alert">Deleting ${what} would require deleting the following protected related objects:</p>
<div class="delete-list protected">${tree(plan.protected)}</div>
<p><a class="button" href="${input.back}">Go back</a></p>`;
  if (plan.missingPerms.length > 0)
    return html`<p class="errornote" role="alert">Deleting ${what} would result in deleting related objects, but your account doesn't have permission to delete the following types of objects:</p>
<ul>${plan.missingPerms.map((m) => html`<li>${m}</li>`)}</ul>
<p><a class="button" href="${input.back}">Go back</a></p>`;
  return html`<p>Are you sure you want to delete ${what}? All of the following related items will be deleted:</p>
<h2>Summary</h2>
<ul class="delete-summary">${[...plan.summary].map(([model, n]) => html`<li>${model}: ${n}</li>`)}</ul>
<h2>Objects</h2>
<div class="delete-list">${tree(plan.tree)}</div>
${plan.truncated ? html`<p class="muted">The list is cut short; the summary counts every object.</p>` : ''}
${plan.updated.length ? html`<h2>Updated</h2><p>These objects are kept, and their reference is cleared:</p><div class="delete-list updated">${tree(plan.updated)}</div>` : ''}
<form method="post" action="${input.action}" class="delete-confirmation">
${csrfInput(request)}
${input.hidden.map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}
<input type="hidden" name="post" value="yes">
<div class="submit-row">
<button type="submit" class="button danger">Yes, I’m sure</button>
<a href="${input.back}" class="button cancel-link">No, take me back</a>
</div>
</form>`;
}
