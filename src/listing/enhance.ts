// src/listing/enhance.ts
// The listing page's only script, as a typed function that assets.ts inlines with toString():
// the filter box and keyboard moves. The page works without it (sorting is plain links).
// It must stay self-contained: no imports, no references to anything outside its body.

/** Runs in the browser once the table is parsed (the script sits at the end of the body). */
export function enhanceListing(): void {
  const box = document.querySelector<HTMLElement>('.filter');
  const input = document.querySelector<HTMLInputElement>('#filter');
  const live = document.querySelector<HTMLElement>('#status');
  const noMatch = document.querySelector<HTMLTableRowElement>('#none');
  if (box === null || input === null || live === null || noMatch === null) return;
  const field = input;
  const status = live;
  const none = noMatch;
  const rows = Array.from(document.querySelectorAll<HTMLTableRowElement>('tbody tr.e'));
  const fold = (text: string): string => text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  const names = rows.map((row) => fold(row.querySelector('.n span')?.textContent ?? ''));
  box.hidden = false;

  function applyFilter(): void {
    const wanted = fold(field.value.trim());
    let shown = 0;
    for (let i = 0; i < rows.length; i++) {
      const show = wanted === '' || (names[i] ?? '').includes(wanted);
      (rows[i] as HTMLTableRowElement).hidden = !show;
      if (show) shown++;
    }
    none.hidden = shown > 0 || rows.length === 0;
    const cell = none.querySelector('td');
    if (cell !== null) cell.textContent = `Nothing here matches “${field.value.trim()}”`;
    status.textContent = wanted === '' ? '' : `${shown} of ${rows.length}`;
  }

  /** The row links a keyboard user can move between: the parent link and visible entries. */
  function visibleLinks(): HTMLAnchorElement[] {
    return Array.from(document.querySelectorAll<HTMLAnchorElement>('tbody tr:not([hidden]) td.n a'));
  }

  function isTextField(target: EventTarget | null): boolean {
    return (
      target instanceof HTMLInputElement ||
      target instanceof HTMLTextAreaElement ||
      (target instanceof HTMLElement && target.isContentEditable)
    );
  }

  field.addEventListener('input', applyFilter);
  // A browser may restore the box's text on Back; apply it to the restored page.
  window.addEventListener('pageshow', applyFilter);
  applyFilter();

  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const onField = event.target === field;
    if (event.key === '/' && !isTextField(event.target)) {
      event.preventDefault();
      field.focus();
      field.select();
      return;
    }
    if (onField && event.key === 'Escape') {
      if (field.value === '') field.blur();
      else {
        field.value = '';
        applyFilter();
      }
      return;
    }
    if (onField && event.key === 'Enter') {
      // Enter in the box opens the first match, the quickest way from typing to a file.
      const first = visibleLinks().find((link) => link.closest('tr.e') !== null);
      if (first !== undefined) {
        event.preventDefault();
        first.click();
      }
      return;
    }
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    const links = visibleLinks();
    const down = event.key === 'ArrowDown';
    const at = links.indexOf(document.activeElement as HTMLAnchorElement);
    if (at === -1 && isTextField(event.target) && !onField) return;
    let next: HTMLElement | undefined;
    if (at === -1) next = down ? links[0] : onField ? undefined : links.at(-1);
    else if (!down && at === 0) next = field;
    else next = links[Math.min(at + (down ? 1 : -1), links.length - 1)];
    if (next === undefined) return;
    event.preventDefault();
    next.focus();
  });
}
