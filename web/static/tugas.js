// Progress of a background job (/tugas/{id}): polls /tugas/{id}/status every second and
// updates the bar without reloading the page. Without JavaScript, a <noscript> meta refresh
// reloads the page instead.
(function () {
  "use strict";
  var box = document.getElementById("tugas");
  if (!box || box.getAttribute("data-state") !== "running") return;
  var id = box.getAttribute("data-job");
  var bar = document.getElementById("tugas-bar");
  var phase = document.getElementById("tugas-tahap");
  var count = document.getElementById("tugas-angka");
  var msg = document.getElementById("tugas-pesan");
  var links = document.getElementById("tugas-tautan");
  var nf = new Intl.NumberFormat("id-ID");
  function link(href, text, cls, elID) {
    var a = document.createElement("a");
    a.href = href; a.textContent = text; a.id = elID;
    if (cls) a.className = cls;
    links.appendChild(a);
    links.appendChild(document.createTextNode(" "));
  }
  function show(j) {
    box.setAttribute("data-state", j.state);
    bar.value = j.percent; bar.textContent = j.percent + "%";
    phase.textContent = j.state === "done" ? "Selesai" : j.state === "failed" ? "Gagal" : j.phase;
    count.textContent = j.total ? nf.format(j.done) + " dari " + nf.format(j.total) + " (" + j.percent + "%)" : "";
    if (j.state === "failed") { msg.className = "error"; msg.textContent = j.error || ""; }
    else { msg.textContent = j.message || ""; }
    if (j.state === "done" || j.state === "failed") {
      links.textContent = "";
      if (j.download) link(j.download, "Unduh berkas", "button", "tugas-unduh");
      if (j.url) link(j.url, "Lihat hasilnya", "", "tugas-lanjut");
    }
  }
  function poll() {
    fetch("/tugas/" + encodeURIComponent(id) + "/status", { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (j) { show(j); if (j.state === "running") setTimeout(poll, 1000); })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 500);
})();
