// "Try it" on /api/docs: sends the form's request with fetch and shows the answer. A file, not an
// inline script, so the Content-Security-Policy can forbid inline code. Signed-in users' requests
// carry the session cookie and the CSRF token from the page's meta tag; a pasted token is sent as
// `Authorization: Token <key>` instead and never stored.

(() => {
  const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';
  const tokenInput = document.getElementById('token-key');

  async function send(form) {
    const output = form.querySelector('output.response');
    const method = form.dataset.method;
    let path = form.dataset.path;
    const id = form.elements.namedItem('id');
    if (id) {
      if (!id.value.trim()) {
        output.textContent = 'Enter an id.';
        return;
      }
      path = path.replace('{id}', encodeURIComponent(id.value.trim()));
    }
    const query = form.elements.namedItem('query');
    if (query?.value.trim()) path += `?${query.value.trim().replace(/^\?/, '')}`;
    const headers = { Accept: 'application/json' };
    const key = tokenInput?.value.trim();
    if (key) headers.Authorization = `Token ${key}`;
    else if (method !== 'GET') headers['X-CSRF-Token'] = csrf;
    const init = { method, headers, credentials: key ? 'omit' : 'same-origin' };
    const body = form.elements.namedItem('body');
    if (body && method !== 'GET' && method !== 'DELETE') {
      try {
        init.body = JSON.stringify(JSON.parse(body.value));
      } catch (error) {
        output.textContent = `The body is not valid JSON: ${error.message}`;
        return;
      }
      headers['Content-Type'] = 'application/json';
    }
    output.textContent = 'Sending…';
    try {
      const res = await fetch(path, init);
      const text = await res.text();
      let shown = text;
      try {
        shown = JSON.stringify(JSON.parse(text), null, 2);
      } catch {
        // not JSON (an empty 204): shown as it is
      }
      output.textContent = `${res.status} ${res.statusText}\n${shown}`;
    } catch (error) {
      output.textContent = `The request failed: ${error.message}`;
    }
  }

  for (const form of document.querySelectorAll('form.try-it'))
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void send(form);
    });
})();
