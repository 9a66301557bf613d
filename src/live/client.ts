// src/live/client.ts
// The live-reload script (/__serve-here/live.js), as a typed function that index.ts serves
// with toString(). It must stay self-contained: no imports, nothing from outside its body.
// The same file runs in two roles. In a page, it asks a SharedWorker of the same script to
// hold the one events stream of the whole browser: browsers allow only six HTTP/1.1
// connections per server, and a stream per tab would starve the seventh tab. Where shared
// workers are missing or refused, the page opens the stream itself.

/** What the stream holder tells a page. */
type Note =
  | { readonly type: 'open' }
  | { readonly type: 'down' }
  | { readonly type: 'reload' }
  | {
      readonly type: 'change';
      readonly css: boolean;
      readonly paths: readonly string[] | null;
      readonly folders: readonly string[] | null;
    };

export function liveClient(): void {
  const SCRIPT = '/__serve-here/live.js';
  const EVENTS = '/__serve-here/events';
  const FIRST_DELAY_MS = 250;
  const MAX_DELAY_MS = 5000;

  /**
   * Holds one stream and reports to `tell`. When the stream breaks (the server stopped), polls
   * with growing delays until the server answers again, reopens, and asks for a reload, as
   * Vite's client does: the restarted server may serve other files.
   */
  function connect(tell: (note: Note) => void, onState: (open: boolean) => void): void {
    let delay = FIRST_DELAY_MS;
    let wasDown = false;
    const open = (): void => {
      const source = new EventSource(EVENTS);
      source.onopen = () => {
        delay = FIRST_DELAY_MS;
        onState(true);
        tell(wasDown ? { type: 'reload' } : { type: 'open' });
        wasDown = false;
      };
      source.addEventListener('change', (event) => {
        tell({ type: 'change', ...(JSON.parse((event as MessageEvent<string>).data) as object) } as Note);
      });
      source.onerror = () => {
        // EventSource would retry on its own, forever at the same pace; we back off instead.
        source.close();
        onState(false);
        if (!wasDown) tell({ type: 'down' });
        wasDown = true;
        setTimeout(poll, delay);
      };
    };
    const poll = (): void => {
      fetch(SCRIPT, { method: 'HEAD', cache: 'no-store' }).then(
        (response) => (response.ok ? open() : retry()),
        retry,
      );
    };
    const retry = (): void => {
      delay = Math.min(delay * 2, MAX_DELAY_MS);
      setTimeout(poll, delay);
    };
    open();
  }

  if (typeof document === 'undefined') {
    // The shared worker: one stream, relayed to every page of this server in the browser.
    const scope = self as unknown as { onconnect: ((event: MessageEvent) => void) | null };
    const ports = new Set<MessagePort>();
    let isOpen = false;
    scope.onconnect = (event) => {
      const port = event.ports[0];
      if (port === undefined) return;
      ports.add(port);
      // A page says bye when it goes, and hi when the back-forward cache brings it back.
      port.onmessage = (message) => {
        if (message.data === 'bye') ports.delete(port);
        if (message.data === 'hi') ports.add(port);
      };
      if (isOpen) port.postMessage({ type: 'open' });
    };
    connect(
      (note) => {
        for (const port of ports) port.postMessage(note);
      },
      (open) => {
        isOpen = open;
      },
    );
    return;
  }

  const pathOf = (href: string): string | undefined => {
    try {
      const url = new URL(href, location.href);
      return url.origin === location.origin ? decodeURIComponent(url.pathname) : undefined;
    } catch {
      return undefined;
    }
  };

  /** Re-fetches stylesheets with a new query; the old link goes once the new one has loaded. */
  const swapStylesheets = (paths: readonly string[] | null): void => {
    const links = Array.from(document.querySelectorAll<HTMLLinkElement>('link[rel~="stylesheet"][href]'));
    const ours = links.filter((link) => pathOf(link.href) !== undefined);
    let chosen = paths === null ? ours : ours.filter((link) => paths.includes(pathOf(link.href) ?? ''));
    // None matched: the sheet may come in through @import, so refresh them all.
    if (chosen.length === 0) chosen = ours;
    for (const link of chosen) {
      const url = new URL(link.href);
      url.searchParams.set('serve-here-live', String(Date.now()));
      const next = link.cloneNode() as HTMLLinkElement;
      next.href = url.href;
      const done = (): void => link.remove();
      next.addEventListener('load', done, { once: true });
      next.addEventListener('error', done, { once: true });
      link.after(next);
    }
  };

  /** serve-here's own folder listing: it shows its folder, so only that folder's changes count. */
  const isListing = (): boolean =>
    document.querySelector('main > h1 > span.of') !== null && document.getElementById('filter') !== null;

  const handle = (note: Note): void => {
    switch (note.type) {
      case 'open':
        console.debug('[serve-here] live reload connected');
        return;
      case 'down':
        console.debug('[serve-here] server gone; reconnecting…');
        return;
      case 'reload':
        location.reload();
        return;
      case 'change':
        if (isListing()) {
          const here = pathOf(location.href) ?? '';
          if (note.folders === null || note.folders.includes(here)) location.reload();
        } else if (note.css) swapStylesheets(note.paths);
        else location.reload();
        return;
    }
  };

  if (typeof SharedWorker === 'function') {
    try {
      const worker = new SharedWorker(SCRIPT, { name: 'serve-here live reload' });
      let relayed = false;
      worker.port.onmessage = (event: MessageEvent<Note>) => {
        relayed = true;
        handle(event.data);
      };
      // A worker refused by the page's CSP, or one that fails to start: hold the stream here.
      worker.onerror = () => {
        if (!relayed) connect(handle, () => undefined);
      };
      addEventListener('pagehide', () => worker.port.postMessage('bye'));
      addEventListener('pageshow', (event) => {
        if (event.persisted) worker.port.postMessage('hi');
      });
      worker.port.start();
      return;
    } catch {
      // Shared workers may be disabled; fall through.
    }
  }
  connect(handle, () => undefined);
}
