/* Optional enhancement of the rating form: a live character counter, and a queue for ratings made
   while offline, sent to the API (with an idempotency key) when the phone is back online. The form
   works without any of this. */
(function () {
  "use strict";
  var QUEUE = "rating-queue";
  function queue() { try { return JSON.parse(localStorage.getItem(QUEUE) || "[]"); } catch (e) { return []; } }
  function save(items) { try { localStorage.setItem(QUEUE, JSON.stringify(items)); } catch (e) { /* storage full or off */ } }
  function flush(url) {
    var items = queue();
    if (!items.length || !navigator.onLine) return;
    var item = items[0];
    fetch(url, { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" }, body: JSON.stringify(item) })
      .then(function (r) {
        // Stored (2xx) or refused for good (4xx): take it off the queue. Too many requests (429),
        // a timeout (408) or a server error: keep it and try again later.
        if (r.status < 500 && r.status !== 429 && r.status !== 408) {
          save(queue().filter(function (x) { return x.client_id !== item.client_id; }));
          flush(url);
        }
      })
      .catch(function () { /* still offline; try again later */ });
  }
  function id() {
    var a = new Uint8Array(16); crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.rate");
    if (!form) return;
    var api = form.getAttribute("data-api");
    flush(api);
    window.addEventListener("online", function () { flush(api); });
    var comment = form.querySelector("textarea");
    var help = form.querySelector("[data-counter]");
    if (comment && help) {
      var max = parseInt(help.getAttribute("data-counter"), 10), base = help.textContent;
      var update = function () { help.textContent = base + " (" + (max - comment.value.length) + ")"; };
      comment.addEventListener("input", update); update();
    }
    form.addEventListener("submit", function (event) {
      if (navigator.onLine) return;
      event.preventDefault();
      var data = { municipality: form.getAttribute("data-municipality"), subject: form.getAttribute("data-subject"), criteria: {}, client_id: id() };
      new FormData(form).forEach(function (value, key) {
        if (key === "overall") data.overall = parseInt(value, 10);
        else if (key.indexOf("criterion_") === 0 && value !== "0") data.criteria[key.slice(10)] = parseInt(value, 10);
        else if (key === "comment" && value) data.comment = value;
        else if ((key === "sex" || key === "age_band" || key === "village") && value) data[key] = value;
      });
      if (!data.overall) { form.submit(); return; }
      var items = queue(); items.push(data); save(items);
      var note = document.createElement("p"); note.className = "note"; note.setAttribute("role", "status");
      note.textContent = form.getAttribute("data-offline") || "";
      form.parentNode.insertBefore(note, form);
      window.scrollTo(0, 0);
    });
  });
})();
