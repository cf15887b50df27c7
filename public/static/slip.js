// The slip page's Print button: shown only when this script runs, since without JavaScript
// Ctrl+P (the hint beside it) does the same.
(function () {
  'use strict';
  var button = document.getElementById('print-slip');
  if (!button) return;
  button.hidden = false;
  button.addEventListener('click', function () { window.print(); });
})();
