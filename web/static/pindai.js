// The camera scanner of /pindai: reads a certificate's QR code with the phone camera and shows
// the verdict from GET /api/v1/verify without reloading the page. The browser's
// BarcodeDetector is used where there is one; otherwise the vendored jsQR
// (/static/vendor/jsqr.js, jsqr 1.4.0, Apache-2.0) is loaded on first need. Without a camera
// the page says so and the upload and look-up forms below remain. No data leaves the page but
// the decoded QR content, sent to this server only.
(function () {
  "use strict";
  var T = {};
  try { T = JSON.parse(document.getElementById("teks-pindai").textContent); } catch (e) { return; }
  var lang = document.documentElement.lang === "en" ? "en" : "id";
  var box = document.getElementById("pindai");
  var status = document.getElementById("status-kamera");
  var button = document.getElementById("tombol-kamera");
  var video = document.getElementById("video");
  var result = document.getElementById("hasil");
  var stream = null, timer = null, detect = null, canvas = null;

  box.hidden = false;
  function say(msg) { status.textContent = msg; }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  function unavailable(key) {
    say(T[key] || T.noCamera);
    button.hidden = true;
    video.hidden = true;
    box.classList.add("tidak-tersedia");
  }

  function stop() {
    if (timer) { clearTimeout(timer); timer = null; }
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    video.hidden = true;
    button.textContent = T.start;
  }

  // The decoder: BarcodeDetector where it reads QR codes, else jsQR.
  function decoder() {
    if (detect) return Promise.resolve(detect);
    var native = "BarcodeDetector" in window && window.BarcodeDetector.getSupportedFormats ?
      window.BarcodeDetector.getSupportedFormats().catch(function () { return []; }) : Promise.resolve([]);
    return native.then(function (formats) {
      if (formats.indexOf("qr_code") >= 0) {
        var bd = new window.BarcodeDetector({ formats: ["qr_code"] });
        detect = function () {
          return bd.detect(video).then(function (codes) { return codes.length ? codes[0].rawValue : null; });
        };
        return detect;
      }
      return loadJsQR().then(function () {
        canvas = document.createElement("canvas");
        detect = function () {
          var w = video.videoWidth, h = video.videoHeight;
          if (!w || !h) return Promise.resolve(null);
          var scale = Math.min(1, 640 / Math.max(w, h));
          canvas.width = Math.round(w * scale);
          canvas.height = Math.round(h * scale);
          var ctx = canvas.getContext("2d", { willReadFrequently: true });
          ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
          var img = ctx.getImageData(0, 0, canvas.width, canvas.height);
          var code = window.jsQR(img.data, img.width, img.height, { inversionAttempts: "attemptBoth" });
          return Promise.resolve(code ? code.data : null);
        };
        return detect;
      });
    });
  }

  function loadJsQR() {
    if (window.jsQR) return Promise.resolve();
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = "/static/vendor/jsqr.js";
      s.onload = function () { window.jsQR ? resolve() : reject(new Error("jsQR")); };
      s.onerror = reject;
      document.head.appendChild(s);
    });
  }

  function scan() {
    timer = setTimeout(function () {
      detect().then(function (text) {
        if (text) { stop(); check(text); } else if (stream) { scan(); }
      }, function () { if (stream) scan(); });
    }, 200);
  }

  function start() {
    result.textContent = "";
    navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false })
      .then(function (s) {
        stream = s;
        video.srcObject = s;
        video.hidden = false;
        button.textContent = T.stop;
        return video.play();
      })
      .then(decoder)
      .then(function () { say(T.scanning); scan(); })
      .catch(function (err) {
        stop();
        var name = err && err.name;
        if (name === "NotAllowedError" || name === "SecurityError") unavailable("denied");
        else if (err && err.message === "jsQR" || (err && err.type === "error")) unavailable("loadError");
        else unavailable("noCamera");
      });
  }

  // The /v/ address of what the QR code holds (the verification URL, usually).
  function pagePath(text) {
    var i = text.toUpperCase().lastIndexOf("/V/");
    var tok = i >= 0 ? text.slice(i + 3) : text;
    return "/v/" + encodeURIComponent(tok.trim()) + (lang === "en" ? "?lang=en" : "");
  }

  function check(text) {
    say(T.checking);
    var url = "/api/v1/verify?token=" + encodeURIComponent(text) + (lang === "en" ? "&lang=en" : "");
    fetch(url, { headers: { Accept: "application/json" }, credentials: "omit", cache: "no-store" })
      .then(function (r) {
        if (r.status === 429) throw new Error("limited");
        if (!r.ok) throw new Error("network");
        return r.json();
      })
      .then(function (v) { show(v, text); say(""); })
      .catch(function (e) { say(e && e.message === "limited" ? T.limited : T.network); })
      .then(function () { button.textContent = T.again; });
  }

  function date(s) {
    var d = new Date(s);
    if (isNaN(d)) return s;
    return d.toLocaleDateString(lang === "en" ? "en-GB" : "id-ID", { day: "numeric", month: "long", year: "numeric", timeZone: "Asia/Jakarta" });
  }

  function show(v, text) {
    result.textContent = "";
    var cls = "bad", mark = "✗", word = T[v.status] || T.invalid, expl = T.explInvalid;
    if (v.status === "valid" && v.status_checked) { cls = "ok"; mark = "✓"; expl = T.explValid; }
    else if (v.status === "valid") { cls = "unknown"; mark = "?"; word = T.unconfirmed; expl = T.explUnconfirmed; }
    else if (v.status === "revoked") { cls = "revoked"; mark = "!"; expl = T.explRevoked; }
    else if (v.status === "unknown_key") { expl = T.explUnknownKey; }
    else if (v.status === "key_compromised") { expl = T.explKeyCompromised; }
    var verdict = el("section", "verdict " + cls);
    verdict.setAttribute("role", "status");
    var m = el("span", "mark", mark);
    m.setAttribute("aria-hidden", "true");
    verdict.appendChild(m);
    verdict.appendChild(el("strong", null, word));
    verdict.appendChild(el("span", null, expl));
    var c = v.certificate;
    if (c && c.replaced_by_url) {
      var a = el("a", null, T.seeReplacement.replace("%s", c.replaced_by));
      a.href = c.replaced_by_url;
      verdict.appendChild(a);
    }
    result.appendChild(verdict);

    result.appendChild(el("h2", null, T.checks));
    var ul = el("ul", "checks");
    (v.checks || []).forEach(function (ch) {
      var state = ch.ok ? "pass" : (ch.name === "status" && v.status !== "revoked" ? "unknown" : "fail");
      line(ul, state, ch.detail);
    });
    if (c && c.recommendation_number) {
      line(ul, "pass", T.recommendationOK.replace("%s", c.recommendation_number).replace("%s", c.title));
    }
    result.appendChild(ul);

    if (c) {
      result.appendChild(el("h2", null, T.details));
      var dl = el("dl");
      [[T.dNumber, c.number], [T.dHolder, c.holder_name], [T.dNIP, c.nip], [T.dActivity, c.title],
        [T.dOrganizer, c.organizer], [T.dPeriod, date(c.start_date) + (c.end_date !== c.start_date ? " – " + date(c.end_date) : "")],
        [T.dJP, c.jp + " JP"], [T.dSigner, c.signer_name + (c.signer_title ? ", " + c.signer_title : "")], [T.dIssued, date(c.issued_at)]
      ].forEach(function (row) {
        if (!row[1]) return;
        dl.appendChild(el("dt", null, row[0]));
        dl.appendChild(el("dd", null, row[1]));
      });
      result.appendChild(dl);
    }
    var p = el("p");
    var full = el("a", null, T.fullPage);
    full.href = pagePath(text);
    p.appendChild(full);
    result.appendChild(p);
    verdict.tabIndex = -1;
    verdict.focus();
  }

  function line(ul, state, detail) {
    var li = el("li", "is-" + state);
    var m = el("span", "m", state === "pass" ? "✓" : state === "fail" ? "✗" : "?");
    m.setAttribute("aria-hidden", "true");
    li.appendChild(m);
    li.appendChild(el("span", "sr", T[state]));
    li.appendChild(document.createTextNode(" " + detail));
    ul.appendChild(li);
  }

  button.addEventListener("click", function () { if (stream) { stop(); say(T.ready); } else { start(); } });

  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { unavailable("noCamera"); return; }
  var probe = navigator.mediaDevices.enumerateDevices ? navigator.mediaDevices.enumerateDevices() : Promise.resolve(null);
  probe.then(function (devices) {
    if (devices && !devices.some(function (d) { return d.kind === "videoinput"; })) { unavailable("noCamera"); return; }
    button.textContent = T.start;
    button.hidden = false;
    say(T.ready);
  }, function () { unavailable("noCamera"); });
})();
