import type { DeleteNode, DeletePlan } from '../../models/delete-plan.js';
import type { RefusedNode } from '../../models/delete-refusals.js';
import { CsrfInput } from './layout.js';

function ObjectLink({ node }: { readonly node: Pick<DeleteNode, 'url' | 'repr'> }) {
  return node.url ? <a href={node.url}>{node.repr}</a> : node.repr;
}

function Tree({ nodes }: { readonly nodes: readonly DeleteNode[] }) {
  return (
    <ul>
      {nodes.map((n) => (
        <li>
          {n.model}: <ObjectLink node={n} />
          {n.children.length > 0 && <Tree nodes={n.children} />}
        </li>
      ))}
    </ul>
  );
}

function GoBack({ href }: { readonly href: string }) {
  return (
    <p>
      <a class="button" href={href}>
        Go back
      </a>
    </p>
  );
}

export interface DeletePageProps {
  readonly csrfToken: string;
  readonly plan: DeletePlan;
  /** Selected objects the registration's `deleteBlockers` will not let go, each saying why. */
  readonly refused: readonly RefusedNode[];
  /** "the question “What?”" or "the selected questions". */
  readonly what: string;
  /** Hidden inputs the confirming form repeats (the bulk action and the selection). */
  readonly hidden: readonly (readonly [string, string])[];
  readonly action: string;
  readonly back: string;
}

function Refused({ plan, refused, what, back }: DeletePageProps) {
  return (
    <>
      <p class="errornote" role="alert">
        Deleting {what} is not possible:
      </p>
      {'\n'}
      <div class="delete-list refused">
        <ul>
          {refused.map((n) => (
            <li>
              {n.model}: <ObjectLink node={n} />
              <p>{n.message}</p>
            </li>
          ))}
        </ul>
      </div>
      {plan.protected.length > 0 && (
        <>
          <p>Deleting {what} would also require deleting the following protected related objects:</p>
          <div class="delete-list protected">
            <Tree nodes={plan.protected} />
          </div>
        </>
      )}
      <GoBack href={back} />
    </>
  );
}

function Protected({ plan, what, back }: DeletePageProps) {
  return (
    <>
      <p class="errornote" role="alert">
        Deleting {what} would require deleting the following protected related objects:
      </p>
      <div class="delete-list protected">
        <Tree nodes={plan.protected} />
      </div>
      <GoBack href={back} />
    </>
  );
}

function MissingPermissions({ plan, what, back }: DeletePageProps) {
  return (
    <>
      <p class="errornote" role="alert">
        Deleting {what} would result in deleting related objects, but your account doesn’t have permission to
        delete the following types of objects:
      </p>
      <ul>
        {plan.missingPerms.map((m) => (
          <li>{m}</li>
        ))}
      </ul>
      <GoBack href={back} />
    </>
  );
}

function Confirm({ csrfToken, plan, what, hidden, action, back }: DeletePageProps) {
  return (
    <>
      <p>Are you sure you want to delete {what}? All of the following related items will be deleted:</p>
      <h2>Summary</h2>
      <ul class="delete-summary">
        {[...plan.summary].map(([model, n]) => (
          <li>
            {model}: {n}
          </li>
        ))}
      </ul>
      <h2>Objects</h2>
      <div class="delete-list">
        <Tree nodes={plan.tree} />
      </div>
      {plan.truncated && <p class="muted">The list is cut short; the summary counts every object.</p>}
      {plan.updated.length > 0 && (
        <>
          <h2>Updated</h2>
          <p>These objects are kept, and their reference is cleared:</p>
          <div class="delete-list updated">
            <Tree nodes={plan.updated} />
          </div>
        </>
      )}
      <form method="post" action={action} class="delete-confirmation">
        <CsrfInput token={csrfToken} />
        {hidden.map(([k, v]) => (
          <input type="hidden" name={k} value={v} />
        ))}
        <input type="hidden" name="post" value="yes" />
        <div class="submit-row">
          <button type="submit" class="button danger">
            Yes, I’m sure
          </button>{' '}
          <a href={back} class="button cancel-link">
            No, take me back
          </a>
        </div>
      </form>
    </>
  );
}

/**
 * Django's delete confirmation: what will be deleted (nested, with a summary), what will be
 * updated, and what prevents the deletion (then no button): selected objects that may not be
 * deleted and why (a primary address), related objects that protect them, or the permissions
 * that are missing.
 */
export function DeletePage(props: DeletePageProps) {
  if (props.refused.length > 0) return <Refused {...props} />;
  if (props.plan.protected.length > 0) return <Protected {...props} />;
  if (props.plan.missingPerms.length > 0) return <MissingPermissions {...props} />;
  return <Confirm {...props} />;
}
