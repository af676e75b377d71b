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
  var script = document.currentScript;
  document.addEventListener("DOMContentLoaded", function () {
    // Every page sends what an earlier offline visit queued, not only the form.
    var api = script && script.getAttribute("data-api");
    if (!api) return;
    flush(api);
    window.addEventListener("online", function () { flush(api); });
    var form = document.querySelector("form.rate");
    if (!form) return;
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
      var note = document.createElement("p");
      if (!data.overall) {
        note.className = "error"; note.setAttribute("role", "alert");
        note.textContent = form.getAttribute("data-required") || "";
        var scale = form.querySelector("fieldset.scale");
        scale.insertBefore(note, scale.children[1] || null);
        scale.scrollIntoView();
        return;
      }
      var items = queue(); items.push(data); save(items);
      note.className = "note"; note.setAttribute("role", "status");
      note.textContent = form.getAttribute("data-offline") || "";
      form.parentNode.insertBefore(note, form);
      // One tap, one rating: the queued form cannot be sent again by accident.
      Array.prototype.forEach.call(form.querySelectorAll("button, input, textarea, select"), function (el) { el.disabled = true; });
      window.scrollTo(0, 0);
    });
  });
})();
