/* The queue of ratings made offline, kept in IndexedDB and shared by the pages (rate.js) and the
   service worker (Background Sync). Each item is the API's JSON body keyed by its client_id: the API
   stores a client_id once, so an item sent twice (two tabs, the worker and a page) is stored once.
   The queue is not in the worker's caches, so installing a new worker never loses it. */
(function (scope) {
  "use strict";
  var NAME = "local-voice", STORE = "ratings";

  function open() {
    return new Promise(function (resolve, reject) {
      if (!scope.indexedDB) { reject(new Error("IndexedDB unavailable")); return; }
      var request = scope.indexedDB.open(NAME, 1);
      request.onupgradeneeded = function () {
        if (!request.result.objectStoreNames.contains(STORE)) request.result.createObjectStore(STORE, { keyPath: "client_id" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function run(mode, action) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode), result;
        var request = action(tx.objectStore(STORE));
        request.onsuccess = function () { result = request.result; };
        tx.oncomplete = function () { db.close(); resolve(result); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function all() { return run("readonly", function (store) { return store.getAll(); }); }
  function count() { return run("readonly", function (store) { return store.count(); }); }
  function add(item) { return run("readwrite", function (store) { return store.put(item); }); }
  function remove(id) { return run("readwrite", function (store) { return store.delete(id); }); }

  function send(api, item) {
    return fetch(api, { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" }, body: JSON.stringify(item) })
      .then(function (response) {
        // Stored (2xx) or refused for good (4xx): off the queue. Too many requests (429), a timeout
        // (408), a race with another sender (409) or a server error: keep it for the next try.
        var s = response.status;
        if (s < 500 && s !== 408 && s !== 409 && s !== 429) return remove(item.client_id).then(function () { return 1; });
        return 0;
      });
  }

  function sendAll(api) {
    return all().then(function (items) {
      return items.reduce(function (chain, item) {
        return chain.then(function (sent) { return send(api, item).then(function (n) { return sent + n; }); });
      }, Promise.resolve(0));
    });
  }

  // Pages and the worker flush under one lock (Web Locks), so that one sends while the others wait
  // and then find the queue empty; without the API the client_id still keeps a rating single.
  function flush(api) {
    var locks = scope.navigator && scope.navigator.locks;
    var job = function () { return sendAll(api); };
    var done = locks ? locks.request("local-voice-rating-queue", job) : job();
    return done.catch(function () { return 0; });  // offline again, or no IndexedDB: later
  }

  scope.LocalVoiceQueue = { add: add, all: all, count: count, remove: remove, flush: flush };
})(self);
