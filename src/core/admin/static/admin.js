// Slipway admin enhancements. Every page works without this file; it only adds conveniences:
// select-all and a selection counter on changelists, "Add another" rows for inlines, a filter box
// for long checkbox lists, and a searchable picker for autocomplete foreign keys.

function onReady(fn) {
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', fn);
  else fn();
}

function changelistSelection() {
  const toggle = document.getElementById('action-toggle');
  const boxes = Array.from(document.querySelectorAll('input.action-select'));
  const counter = document.querySelector('.action-counter');
  if (!toggle || boxes.length === 0) return;
  toggle.hidden = false;
  if (counter) counter.hidden = false;
  const update = () => {
    const n = boxes.filter((b) => b.checked).length;
    toggle.checked = n === boxes.length;
    toggle.indeterminate = n > 0 && n < boxes.length;
    if (counter) counter.textContent = `${n} of ${boxes.length} selected`;
    for (const b of boxes) b.closest('tr')?.classList.toggle('selected', b.checked);
  };
  toggle.addEventListener('change', () => {
    for (const b of boxes) b.checked = toggle.checked;
    update();
  });
  for (const b of boxes) b.addEventListener('change', update);
  update();
}

function inlineAddButtons() {
  for (const group of document.querySelectorAll('[data-inline-prefix]')) {
    const prefix = group.dataset.inlinePrefix;
    const template = document.getElementById(`${prefix}-empty`);
    const total = document.getElementById(`id_${prefix}-TOTAL_FORMS`);
    const button = group.querySelector('.add-inline');
    const tbody = group.querySelector('tbody');
    if (!template || !total || !button || !tbody) continue;
    const max = Number(group.dataset.max || '1000');
    const refresh = () => {
      button.parentElement.hidden = Number(total.value) >= max;
    };
    button.addEventListener('click', () => {
      const index = Number(total.value);
      const markup = template.innerHTML
        .replaceAll('__prefix__', String(index))
        .replace(/ new\)/g, ` ${index + 1})`);
      tbody.insertAdjacentHTML('beforeend', markup);
      total.value = String(index + 1);
      const row = document.getElementById(`${prefix}-${index}`);
      row?.classList.remove('empty-form');
      row?.querySelector('input:not([type=hidden]), select, textarea')?.focus();
      refresh();
    });
    refresh();
  }
}

function checkboxFilters() {
  for (const list of document.querySelectorAll('.checkbox-list[data-filterable]')) {
    const items = Array.from(list.querySelectorAll('.checkbox-item'));
    if (items.length < 12) continue;
    const input = document.createElement('input');
    input.type = 'search';
    input.className = 'checkbox-filter';
    input.placeholder = 'Filter';
    const legend = list.parentElement.querySelector('legend');
    input.setAttribute('aria-label', `Filter ${legend ? legend.textContent.replace(/:$/, '') : 'choices'}`);
    input.addEventListener('input', () => {
      const term = input.value.trim().toLowerCase();
      for (const item of items) item.hidden = term !== '' && !item.textContent.toLowerCase().includes(term);
    });
    list.before(input);
  }
}

// A combobox (WAI-ARIA pattern) over the id input: type to search, arrows to move, Enter to pick.
function autocompletes() {
  for (const wrapper of document.querySelectorAll('.fk-raw[data-autocomplete]')) {
    const url = wrapper.dataset.autocomplete;
    const idInput = wrapper.querySelector('input.vForeignKeyRawIdAdminField');
    const repr = wrapper.querySelector('.fk-repr');
    if (!idInput) continue;
    const listId = `${idInput.id}_results`;
    const search = document.createElement('input');
    search.type = 'text';
    search.className = 'fk-search';
    search.placeholder = 'Type to search';
    search.setAttribute('role', 'combobox');
    search.setAttribute('aria-autocomplete', 'list');
    search.setAttribute('aria-expanded', 'false');
    search.setAttribute('aria-controls', listId);
    search.setAttribute(
      'aria-label',
      `Search for ${document.querySelector(`label[for="${idInput.id}"]`)?.textContent.replace(/[:*]/g, '').trim() || 'an object'}`,
    );
    search.value = repr?.querySelector('strong')?.textContent || '';
    const list = document.createElement('ul');
    list.id = listId;
    list.className = 'fk-results';
    list.setAttribute('role', 'listbox');
    list.hidden = true;
    idInput.type = 'hidden';
    if (repr) repr.hidden = true;
    idInput.before(search);
    wrapper.append(list);
    let active = -1;
    let timer;
    let controller;
    const options = () => Array.from(list.querySelectorAll('[role=option]'));
    const close = () => {
      list.hidden = true;
      search.setAttribute('aria-expanded', 'false');
      search.removeAttribute('aria-activedescendant');
      active = -1;
    };
    const highlight = (i) => {
      const all = options();
      if (all.length === 0) return;
      active = (i + all.length) % all.length;
      for (const [j, o] of all.entries()) o.setAttribute('aria-selected', String(j === active));
      search.setAttribute('aria-activedescendant', all[active].id);
      all[active].scrollIntoView({ block: 'nearest' });
    };
    const choose = (option) => {
      idInput.value = option.dataset.id;
      search.value = option.textContent;
      if (repr) repr.textContent = option.textContent;
      close();
    };
    const load = async () => {
      controller?.abort();
      controller = new AbortController();
      try {
        const response = await fetch(`${url}?term=${encodeURIComponent(search.value)}`, {
          headers: { accept: 'application/json' },
          credentials: 'same-origin',
          signal: controller.signal,
        });
        if (!response.ok) return;
        const data = await response.json();
        list.replaceChildren();
        data.results.forEach((r, i) => {
          const li = document.createElement('li');
          li.id = `${listId}_${i}`;
          li.setAttribute('role', 'option');
          li.dataset.id = r.id;
          li.textContent = r.text;
          li.addEventListener('mousedown', (e) => {
            e.preventDefault();
            choose(li);
          });
          list.append(li);
        });
        if (data.results.length === 0) {
          const li = document.createElement('li');
          li.textContent = 'No results found';
          li.setAttribute('aria-disabled', 'true');
          list.append(li);
        }
        list.hidden = false;
        search.setAttribute('aria-expanded', 'true');
        active = -1;
      } catch (error) {
        if (error.name !== 'AbortError') throw error;
      }
    };
    search.addEventListener('input', () => {
      if (search.value.trim() === '') idInput.value = '';
      clearTimeout(timer);
      timer = setTimeout(load, 200);
    });
    search.addEventListener('focus', () => {
      if (list.hidden) load();
    });
    search.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowDown') {
        e.preventDefault();
        if (list.hidden) load();
        else highlight(active + 1);
      } else if (e.key === 'ArrowUp') {
        e.preventDefault();
        highlight(active - 1);
      } else if (e.key === 'Enter' && !list.hidden && active >= 0) {
        e.preventDefault();
        choose(options()[active]);
      } else if (e.key === 'Escape') {
        close();
      }
    });
    search.addEventListener('blur', () => setTimeout(close, 150));
  }
}

function focusErrors() {
  const note = document.getElementById('form-errors');
  if (note) note.focus();
}

onReady(() => {
  changelistSelection();
  inlineAddButtons();
  checkboxFilters();
  autocompletes();
  focusErrors();
});
