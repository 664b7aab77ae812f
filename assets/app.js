// Progressive enhancement only: every page works without this file.
// A filter's second value is shown only while its operator is "between".
document.querySelectorAll('.filter').forEach((row) => {
  const op = row.querySelector('select[name$="[o]"]');
  const second = row.querySelector('input.second');
  if (!op || !second) return;
  const sync = () => { second.hidden = op.value !== 'between'; };
  op.addEventListener('change', sync);
  sync();
});

// "Add filter" is a <details> menu of the list's fields (it works without
// this script): Escape or a click elsewhere closes it, and Escape gives
// the focus back to "Add filter".
document.querySelectorAll('details.add-filter').forEach((menu) => {
  const summary = menu.querySelector('summary');
  menu.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && menu.open) {
      menu.open = false;
      summary.focus();
    }
  });
  document.addEventListener('click', (e) => {
    if (menu.open && !menu.contains(e.target)) menu.open = false;
  });
});

// Search as you type for fields that name another record (a customer, a
// billing account).  Without this script the field is a plain text input
// taking an ID or a natural key (an email, a Zuora account ID).  With it,
// the visible input searches the resource's list (its JSON) and a hidden
// input carries the chosen record's ID under the field's name.
document.querySelectorAll('input[data-lookup]').forEach((input, n) => {
  const field = input.closest('.field') ?? input.parentNode;
  const hidden = document.createElement('input');
  hidden.type = 'hidden';
  hidden.name = input.name;
  hidden.value = input.value;
  input.removeAttribute('name');
  input.after(hidden);

  const shown = field.querySelector('[data-ref-label]');
  if (shown && input.value !== '') input.value = shown.textContent;

  const list = document.createElement('ul');
  list.className = 'lookup-list';
  list.id = `lookup-list-${n}`;
  list.setAttribute('role', 'listbox');
  list.hidden = true;
  input.after(list);
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-controls', list.id);
  input.setAttribute('aria-expanded', 'false');

  const template = input.dataset.lookupLabel || '{title}';
  const labelOf = (row) => template.replace(/\{(\w+)\}/g, (_, key) => {
    if (key === 'title') return row.title ?? '';
    const cell = (row.cells || []).find((c) => c.name === key);
    return cell && cell.value != null ? String(cell.value) : '';
  });

  let timer = null;
  let active = -1;
  let seq = 0;
  const close = () => {
    list.hidden = true;
    active = -1;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
  };
  const choose = (li) => {
    hidden.value = li.dataset.id;
    input.value = li.textContent;
    if (shown) shown.textContent = li.textContent;
    close();
  };
  const highlight = (i) => {
    const items = [...list.children];
    if (items.length === 0) return;
    active = (i + items.length) % items.length;
    items.forEach((li, k) => li.setAttribute('aria-selected', String(k === active)));
    input.setAttribute('aria-activedescendant', items[active].id);
  };

  const search = async () => {
    const q = input.value.trim();
    if (q.length < 2) { close(); return; }
    const mine = ++seq;
    let body;
    try {
      const res = await fetch(`${input.dataset.lookup}?query=${encodeURIComponent(q)}`, {
        headers: { accept: 'application/json' }, credentials: 'same-origin',
      });
      if (!res.ok) { close(); return; }
      body = await res.json();
    } catch { close(); return; }
    if (mine !== seq) return;
    list.replaceChildren();
    (body.rows || []).slice(0, 10).forEach((row, k) => {
      const li = document.createElement('li');
      li.id = `${list.id}-${k}`;
      li.setAttribute('role', 'option');
      li.dataset.id = row.id;
      li.textContent = labelOf(row);
      li.addEventListener('mousedown', (e) => { e.preventDefault(); choose(li); });
      list.append(li);
    });
    if (list.children.length === 0) {
      const li = document.createElement('li');
      li.textContent = 'No match';
      li.setAttribute('aria-disabled', 'true');
      list.append(li);
    }
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
  };

  input.addEventListener('input', () => {
    hidden.value = input.value;
    if (shown) shown.textContent = '';
    clearTimeout(timer);
    timer = setTimeout(search, 200);
  });
  input.addEventListener('keydown', (e) => {
    if (list.hidden) return;
    if (e.key === 'ArrowDown') { e.preventDefault(); highlight(active + 1); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); highlight(active - 1); }
    else if (e.key === 'Escape') { close(); }
    else if (e.key === 'Enter' && active >= 0 && list.children[active]?.dataset.id) {
      e.preventDefault();
      choose(list.children[active]);
    }
  });
  input.addEventListener('blur', () => setTimeout(close, 150));
});

// A URL to share is selected whole on focus.
document.querySelectorAll('input[data-copy]').forEach((input) => {
  input.addEventListener('focus', () => input.select());
});
