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
