// Sertika: small enhancements of the request form. The form works without this file; with
// it, the "Bentuk" line and the leadership-level field follow the chosen kind, and Enter in
// the employee search runs the search instead of saving the form.
(function () {
  "use strict";
  var kind = document.getElementById("kind");
  var shown = document.getElementById("bentuk-nilai");
  var level = document.getElementById("bagian-tingkat");
  function sync() {
    if (!kind) return;
    var opt = kind.options[kind.selectedIndex];
    var k = opt ? opt.getAttribute("data-klasikal") : null;
    if (shown) {
      shown.textContent = k === "1" ? "Klasikal" : k === "0" ? "Nonklasikal" : "ditentukan oleh jenis yang dipilih";
    }
    if (level) {
      level.hidden = kind.value !== "kepemimpinan";
    }
  }
  if (kind) {
    kind.addEventListener("change", sync);
    sync();
  }
  var search = document.getElementById("cari_pegawai");
  var button = document.getElementById("tombol-cari");
  if (search && button) {
    search.addEventListener("keydown", function (e) {
      if (e.key === "Enter") {
        e.preventDefault();
        button.click();
      }
    });
  }
})();
