// src/upload/page-script.ts
// The listing page's upload script, as a typed function that page.ts inlines with toString():
// picked or dropped files go one by one to the folder's URL (multipart POST through
// XMLHttpRequest, for its upload progress), each with its own bar and message; "New folder"
// posts ?mkdir=. When all is done the page reloads to list the new names, and the outcomes
// are kept in sessionStorage so they are still shown after the reload. Without script the
// two forms still work (the server answers with a results page).
// It must stay self-contained: no imports, no references to anything outside its body.

/** Runs in the browser once the controls are parsed. */
export function enhanceUploads(): void {
  const panel = document.querySelector<HTMLElement>('.upl');
  const picker = document.querySelector<HTMLInputElement>('#upl-files');
  const mkdirForm = document.querySelector<HTMLFormElement>('.upl-mkdir');
  const listElement = document.querySelector<HTMLUListElement>('#upl-list');
  const dropZone = document.querySelector<HTMLElement>('.upl-drop');
  if (panel === null || picker === null || mkdirForm === null || listElement === null || dropZone === null) {
    return;
  }
  const list = listElement;
  const drop = dropZone;
  const max = Number(panel.dataset.max);
  const KEY = 'serve-here-uploads';
  type Outcome = { name: string; ok: boolean; message: string };
  const finished: Outcome[] = [];
  const queue: { file: File; row: HTMLLIElement }[] = [];
  let busy = false;

  for (const button of panel.querySelectorAll<HTMLElement>('.upl-send')) button.hidden = true;

  function addRow(name: string): HTMLLIElement {
    const row = document.createElement('li');
    const label = document.createElement('span');
    label.className = 'upl-name';
    label.textContent = name;
    const bar = document.createElement('progress');
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute('aria-label', `Upload of ${name}`);
    const note = document.createElement('span');
    note.className = 'upl-note';
    note.textContent = 'waiting';
    row.append(label, bar, note);
    list.append(row);
    list.hidden = false;
    return row;
  }

  function settle(row: HTMLLIElement, name: string, ok: boolean, message: string): void {
    row.className = ok ? 'ok' : 'no';
    const bar = row.querySelector('progress');
    if (bar !== null && ok) bar.value = 100;
    const note = row.querySelector('.upl-note');
    if (note !== null) note.textContent = message;
    finished.push({ name, ok, message });
  }

  /** The server's sentence for the first item, else the status line. */
  function messageOf(xhr: XMLHttpRequest): string {
    try {
      const body = JSON.parse(xhr.responseText) as { results?: { message?: string }[] };
      const message = body.results?.[0]?.message;
      if (typeof message === 'string') return message;
    } catch {
      // not JSON: a proxy's page, or an older server
    }
    return `failed: ${xhr.status} ${xhr.statusText}`;
  }

  function next(): void {
    const item = queue.shift();
    if (item === undefined) {
      busy = false;
      if (finished.some((o) => o.ok)) {
        sessionStorage.setItem(KEY, JSON.stringify(finished));
        location.reload();
      }
      return;
    }
    busy = true;
    const { file, row } = item;
    if (file.size > max) {
      settle(row, file.name, false, `larger than the server's limit (${panel?.dataset.maxText ?? max})`);
      next();
      return;
    }
    const bar = row.querySelector('progress') as HTMLProgressElement;
    const note = row.querySelector('.upl-note') as HTMLElement;
    note.textContent = '0%';
    const form = new FormData();
    form.append('file', file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', './');
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.addEventListener('progress', (event) => {
      if (!event.lengthComputable) return;
      const percent = Math.floor((event.loaded / event.total) * 100);
      bar.value = percent;
      note.textContent = `${percent}%`;
    });
    xhr.addEventListener('load', () => {
      const ok = xhr.status >= 200 && xhr.status < 300;
      settle(row, file.name, ok, ok ? 'done' : messageOf(xhr));
      next();
    });
    xhr.addEventListener('error', () => {
      settle(row, file.name, false, 'the connection was lost');
      next();
    });
    xhr.send(form);
  }

  function enqueue(files: FileList | null): void {
    if (files === null) return;
    for (const file of Array.from(files)) queue.push({ file, row: addRow(file.name) });
    if (!busy) next();
  }

  // Outcomes of the uploads before the reload that listed them.
  const previous = sessionStorage.getItem(KEY);
  if (previous !== null) {
    sessionStorage.removeItem(KEY);
    try {
      for (const outcome of JSON.parse(previous) as Outcome[]) {
        const row = addRow(outcome.name);
        settle(row, outcome.name, outcome.ok, outcome.message);
      }
      finished.length = 0;
    } catch {
      // a damaged entry: nothing to show
    }
  }

  picker.addEventListener('change', () => {
    enqueue(picker.files);
    picker.value = '';
  });

  mkdirForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const field = mkdirForm.querySelector<HTMLInputElement>('input[name=mkdir]');
    const name = field?.value.trim() ?? '';
    if (field === null || name === '') return;
    const row = addRow(`${name}/`);
    void fetch(`./?mkdir=${encodeURIComponent(name)}`, {
      method: 'POST',
      headers: { Accept: 'application/json' },
    })
      .then(async (response) => {
        const body = (await response.json().catch(() => ({}))) as { results?: { message?: string }[] };
        const message = body.results?.[0]?.message ?? `failed: ${response.status}`;
        settle(row, `${name}/`, response.ok, response.ok ? 'created' : message);
        if (response.ok) {
          sessionStorage.setItem(KEY, JSON.stringify(finished));
          location.reload();
        }
      })
      .catch(() => settle(row, `${name}/`, false, 'the connection was lost'));
  });

  // Drag and drop anywhere on the page; the overlay says what a drop will do.
  let depth = 0;
  const carriesFiles = (event: DragEvent): boolean =>
    Array.from(event.dataTransfer?.types ?? []).includes('Files');
  document.addEventListener('dragenter', (event) => {
    if (!carriesFiles(event)) return;
    depth++;
    drop.hidden = false;
  });
  document.addEventListener('dragleave', () => {
    depth = Math.max(depth - 1, 0);
    if (depth === 0) drop.hidden = true;
  });
  document.addEventListener('dragover', (event) => {
    if (carriesFiles(event)) event.preventDefault();
  });
  document.addEventListener('drop', (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    depth = 0;
    drop.hidden = true;
    enqueue(event.dataTransfer?.files ?? null);
  });
}
