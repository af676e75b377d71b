/* The service worker. It keeps the pages of the municipalities a resident visited, and the rating
   forms of their subjects, so that they open without a connection; and it sends the queue of ratings
   made offline when the connection returns (Background Sync). The queue itself lives in IndexedDB
   (queue.js), never in these caches: a new version of this worker deletes only its old asset cache,
   so an update cannot lose a queued rating. Pages are fetched from the network first, so whoever is
   online always sees the current scorecard; the kept copy is only for when the network fails. */
"use strict";
importScripts({{ queue_js|tojson }});

var VERSION = {{ version|tojson }};
var ASSETS_CACHE = "assets-" + VERSION;
var PAGES_CACHE = "pages-v1";
var ASSETS = {{ assets|tojson }};
var API = {{ api|tojson }};
// Kept pages: a language's home, a municipality's page, its choice of subjects, each rating form.
var KEPT = /^\/(ky|ru)\/(m\/\d{14}\/(rate(\/[A-Z0-9-]+)?)?)?$/;
var MUNICIPALITY = /^\/(ky|ru)\/m\/(\d{14})\/$/;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(ASSETS_CACHE).then(function (cache) { return cache.addAll(ASSETS); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name.indexOf("assets-") === 0 && name !== ASSETS_CACHE; })
      .map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function keepable(response) {
  return response && response.ok && !response.redirected && response.type === "basic" &&
    !/no-store/.test(response.headers.get("Cache-Control") || "");
}

function keepPage(path) {
  return fetch(path, { credentials: "same-origin" }).then(function (response) {
    if (!keepable(response)) return;
    return caches.open(PAGES_CACHE).then(function (cache) { return cache.put(path, response); });
  });
}

// The municipality's pages the resident has not kept yet (one by one: this is often 3G).
function keepMunicipality(lang, code) {
  return fetch("/" + lang + "/m/" + code + "/offline.json", { credentials: "same-origin" })
    .then(function (response) { return response.ok ? response.json() : { urls: [] }; })
    .then(function (list) {
      return caches.open(PAGES_CACHE).then(function (cache) {
        return list.urls.reduce(function (chain, url) {
          return chain.then(function () {
            return cache.match(url).then(function (found) { return found || keepPage(url); });
          });
        }, Promise.resolve());
      });
    })
    .catch(function () { /* offline: next visit */ });
}

// Cheap phones have little storage: the pages of the most recently visited municipalities only.
var KEEP_MUNICIPALITIES = 8;
var INDEX = "/__kept-municipalities";

function remember(cache, prefix) {
  return cache.match(INDEX).then(function (found) { return found ? found.json() : []; }).then(function (list) {
    list = [prefix].concat(list.filter(function (p) { return p !== prefix; }));
    var dropped = list.slice(KEEP_MUNICIPALITIES);
    return cache.put(INDEX, new Response(JSON.stringify(list.slice(0, KEEP_MUNICIPALITIES)))).then(function () {
      if (!dropped.length) return;
      return cache.keys().then(function (requests) {
        return Promise.all(requests.filter(function (request) {
          var path = new URL(request.url).pathname;
          return dropped.some(function (p) { return path.indexOf(p) === 0; });
        }).map(function (request) { return cache.delete(request); }));
      });
    });
  });
}

function afterVisit(path) {
  var match = MUNICIPALITY.exec(path);
  if (!match) return Promise.resolve();
  // About 40 forms of 15-20 kB each: not on a connection the resident asked to spare (Save-Data).
  var spare = self.navigator.connection && self.navigator.connection.saveData;
  return caches.open(PAGES_CACHE).then(function (cache) { return remember(cache, path); })
    .then(function () { return spare ? null : keepMunicipality(match[1], match[2]); });
}

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  // Assets are named with their content hash (?v=…): the exact URL is the cache key.
  var asset = url.pathname + url.search;
  if (ASSETS.indexOf(asset) >= 0) {
    event.respondWith(caches.match(asset).then(function (found) { return found || fetch(request); }));
    return;
  }
  if (request.mode !== "navigate" || !KEPT.test(url.pathname)) return;
  event.respondWith(fetch(request).then(function (response) {
    if (keepable(response)) {
      var copy = response.clone();
      event.waitUntil(caches.open(PAGES_CACHE)
        .then(function (cache) { return cache.put(url.pathname, copy); })
        .then(function () { return afterVisit(url.pathname); }));
    }
    return response;
  }, function () {
    return caches.open(PAGES_CACHE).then(function (cache) {
      return cache.match(url.pathname).then(function (found) {
        // Never visited: the home page of the language, if kept, rather than the browser's error.
        return found || cache.match("/" + url.pathname.split("/")[1] + "/").then(function (home) { return home || Response.error(); });
      });
    });
  }));
});

function flushQueue() {
  return self.LocalVoiceQueue.flush(API).then(function (sent) {
    return self.clients.matchAll({ type: "window" }).then(function (clients) {
      clients.forEach(function (client) { client.postMessage({ type: "queue", sent: sent }); });
    });
  }).then(function () { return self.LocalVoiceQueue.count(); }).then(function (left) {
    // Failing the sync event makes the browser try again later, with its own back-off.
    if (left > 0) throw new Error("ratings still queued");
  });
}

self.addEventListener("sync", function (event) {
  if (event.tag === "ratings") event.waitUntil(flushQueue());
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "visited" && KEPT.test(data.path || "")) {
    event.waitUntil(keepPage(data.path).then(function () { return afterVisit(data.path); }));
  }
});
