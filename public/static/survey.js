// The survey page's helpers; its forms work without them.
(function () {
  'use strict';
  // A page that answers a form post with errors becomes a plain address in the history, so the
  // Back button after the next, successful post never asks to send the form again.
  if (document.getElementById('errors') && window.history && history.replaceState) {
    history.replaceState(null, '', location.href);
  }
  // An error message disappears as soon as its answer is given or fixed.
  function fixed(event) {
    var q = event.target.closest && event.target.closest('.q');
    if (!q || !q.querySelector('.err')) return;
    if (q.tagName === 'FIELDSET' && !q.querySelector('input:checked')) return;
    var field = event.target;
    if (field.maxLength > 0 && field.value && field.value.length > field.maxLength) return;
    q.querySelector('.err').remove();
    [q, field].forEach(function (el) {
      el.removeAttribute('aria-invalid');
      el.removeAttribute('aria-describedby');
    });
    var item = document.querySelector('#errors li[data-q="' + q.id.replace(/^q-/, '') + '"]');
    if (item) item.remove();
    var list = document.getElementById('errors');
    if (list && !list.querySelector('li')) list.remove();
  }
  document.addEventListener('change', fixed);
  document.addEventListener('input', fixed);
})();
