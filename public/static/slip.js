// The slip page: the Print button, shown only when this script runs (without JavaScript,
// Ctrl+P, as the hint beside it says, does the same); and, for the 80 mm receipt, a page as
// long as the slip, so the printer cuts the roll where the slip ends.
(function () {
  'use strict';
  var button = document.getElementById('print-slip');
  if (button) {
    button.hidden = false;
    button.addEventListener('click', function () { window.print(); });
  }

  // The preview on screen is the printed layout (same width, same type, padding equal to the
  // page margins), so its height is the length of paper the slip needs.
  function fitReceipt() {
    var slip = document.querySelector('.size-80mm main.slip');
    if (window.matchMedia('print').matches) return; // measure the preview only
    var sheet = Array.prototype.find.call(document.styleSheets, function (s) {
      return s.href && /\/static\/slip\.css$/.test(s.href);
    });
    if (!slip || !sheet) return;
    var mm = Math.ceil(slip.getBoundingClientRect().height * 25.4 / 96) + 2;
    sheet.insertRule('@page receipt { size: 80mm ' + mm + 'mm; margin: 3mm }', sheet.cssRules.length);
  }
  fitReceipt();
  window.addEventListener('beforeprint', fitReceipt);
})();
