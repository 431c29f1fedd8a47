// lijntje demo: polls /api/state and posts what is typed and tapped.
(function () {
  "use strict";
  var lang = document.body.dataset.lang;
  var last = { student: null, coach: null };
  var flash = document.getElementById("flash");

  function say(msg) {
    flash.textContent = msg || "";
    flash.className = msg ? "show" : "";
  }

  function post(action, params) {
    var body = new URLSearchParams(params || {});
    return fetch("/api/" + action + "?lang=" + lang, { method: "POST", body: body })
      .then(function (r) { return r.json(); })
      .then(function (j) { say(j.error); refresh(); return j; })
      .catch(function (e) { say(String(e)); });
  }

  function paint(who, html) {
    if (last[who] === html) return;
    last[who] = html;
    var el = document.getElementById(who + "-chat");
    el.innerHTML = html;
    el.scrollTop = el.scrollHeight;
  }

  function refresh() {
    return fetch("/api/state?lang=" + lang, { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (!s.ready) return;
        document.getElementById("clock").textContent = s.clock;
        document.getElementById("join").hidden = s.started;
        document.querySelector('form[data-who="student"]').hidden = !s.started;
        paint("student", s.student);
        paint("coach", s.coach);
      })
      .catch(function () {});
  }

  document.addEventListener("click", function (ev) {
    var b = ev.target.closest("button");
    if (!b) return;
    if (b.dataset.cb) {
      b.disabled = true;
      post("tap", { who: b.dataset.who, message: b.dataset.msg, data: b.dataset.cb });
    } else if (b.dataset.action) {
      if (b.dataset.action === "reset" && !window.confirm(document.body.dataset.confirm)) return;
      b.disabled = true;
      post(b.dataset.action).then(function () { b.disabled = false; });
    } else if (b.classList.contains("voice")) {
      post("voice", { who: b.closest("form").dataset.who });
    }
  });

  document.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var f = ev.target, input = f.elements.text;
    if (!input.value.trim()) return;
    post("send", { who: f.dataset.who, text: input.value });
    input.value = "";
  });

  refresh();
  setInterval(refresh, 700);
})();
