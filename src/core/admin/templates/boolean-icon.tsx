/** The ✓/✗ icon Django shows for booleans (– when unknown), with a text alternative for screen readers. */
export function BooleanIcon({ value }: { readonly value: unknown }) {
  if (value === null || value === undefined)
    return (
      <span class="bool bool-none" title="Unknown">
        –<span class="sr-only">Unknown</span>
      </span>
    );
  return value ? (
    <>
      <span class="bool bool-yes" aria-hidden="true">
        ✓
      </span>
      <span class="sr-only">Yes</span>
    </>
  ) : (
    <>
      <span class="bool bool-no" aria-hidden="true">
        ✗
      </span>
      <span class="sr-only">No</span>
    </>
  );
}
