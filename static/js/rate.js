/* Optional enhancement: a live character counter on the rating form; a queue (queue.js, IndexedDB)
   for ratings made while offline, sent to the API with their idempotency key when the phone is back
   online, with a line saying how many wait; and the service worker that keeps visited
   municipalities' pages for offline use. The pages work without any of this. */
(function () {
  "use strict";
  var LEGACY = "rating-queue";  // the localStorage queue of earlier versions
  var script = document.currentScript;
  var api = script && script.getAttribute("data-api");
  var Queue = function () { return window.LocalVoiceQueue; };

  var original = null;
  function status() {
    var box = document.querySelector("[data-queue]");
    if (box && original === null) original = box.innerHTML;
    return box;
  }

  // What the line says follows the last count asked for (two counts in flight may answer out of
  // order), and "sent" stays once anything this page showed as waiting has gone, whoever sent it:
  // the page and the worker flush one after the other, and the second finds nothing to send.
  var asked = 0, waited = false, sent = false;
  function show(sentNow) {
    var box = status(), queue = Queue();
    if (!box || !queue) return;
    if (sentNow) sent = true;
    var ticket = ++asked;
    queue.count().then(function (n) {
      if (ticket !== asked) return;
      if (n > 0 && !box.querySelector("[data-queue-count]")) box.innerHTML = original;
      var number = box.querySelector("[data-queue-count]");
      if (n > 0) {
        box.hidden = false; waited = true; sent = false;
        if (number) number.textContent = String(n);
      } else if (sent && waited) {
        box.textContent = box.getAttribute("data-sent") || "";
        box.hidden = false;
      } else {
        box.hidden = true;
      }
    }).catch(function () { /* no IndexedDB */ });
  }

  function flush() {
    var queue = Queue();
    if (!api || !queue || !navigator.onLine) return;
    queue.flush(api).then(function (sent) { show(sent > 0); });
  }

  // Ratings queued by an older version of this page (localStorage) move to IndexedDB, once.
  function migrate() {
    var queue = Queue(), raw;
    try { raw = localStorage.getItem(LEGACY); } catch (e) { return Promise.resolve(); }
    if (!raw || !queue) return Promise.resolve();
    var items;
    try { items = JSON.parse(raw) || []; } catch (e) { items = []; }
    return Promise.all(items.filter(function (item) { return item && item.client_id; }).map(function (item) {
      item.channel = "offline_web";
      return queue.add(item);
    })).then(function () { localStorage.removeItem(LEGACY); });
  }

  function worker() {
    var box = status(), url = box && box.getAttribute("data-sw");
    if (!url || !("serviceWorker" in navigator)) return;
    var first = !navigator.serviceWorker.controller;
    navigator.serviceWorker.register(url).then(function () { return navigator.serviceWorker.ready; }).then(function (registration) {
      // On the very first visit this page came from the network before the worker existed: ask it
      // to keep the page (and, for a municipality, its forms) now.
      if (first && registration.active) registration.active.postMessage({ type: "visited", path: location.pathname });
    }).catch(function () { /* not allowed here (plain http, private mode): the page works without */ });
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "queue") show(event.data.sent > 0);
    });
  }

  function backgroundSync() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.sync) return registration.sync.register("ratings");
    }).catch(function () { /* no Background Sync: the next visit sends the queue */ });
  }

  function id() {
    var a = new Uint8Array(16); crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function enhanceForm(form) {
    var comment = form.querySelector("textarea");
    var help = form.querySelector("[data-counter]");
    if (comment && help) {
      var max = parseInt(help.getAttribute("data-counter"), 10), base = help.textContent;
      var update = function () { help.textContent = base + " (" + (max - comment.value.length) + ")"; };
      comment.addEventListener("input", update); update();
    }
    form.addEventListener("submit", function (event) {
      if (navigator.onLine || !Queue()) return;
      event.preventDefault();
      var data = { municipality: form.getAttribute("data-municipality"), subject: form.getAttribute("data-subject"), criteria: {}, client_id: id(), channel: "offline_web" };
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
      // One tap, one rating: the queued form cannot be sent again by accident.
      Array.prototype.forEach.call(form.querySelectorAll("button, input, textarea, select"), function (el) { el.disabled = true; });
      Queue().add(data).then(function () {
        note.className = "note"; note.setAttribute("role", "status");
        note.textContent = form.getAttribute("data-offline") || "";
        form.parentNode.insertBefore(note, form);
        show(false);
        backgroundSync();
        window.scrollTo(0, 0);
      }, function () {
        // IndexedDB refused (storage full, private mode): give the form back rather than lose it.
        Array.prototype.forEach.call(form.querySelectorAll("button, input, textarea, select"), function (el) { el.disabled = false; });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    worker();
    // Every page sends what an earlier offline visit queued, not only the form.
    migrate().then(function () { show(false); flush(); }, function () { flush(); });
    window.addEventListener("online", flush);
    var form = document.querySelector("form.rate");
    if (form) enhanceForm(form);
  });
})();
