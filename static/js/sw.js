// The service worker of field work without a connection, served by /population/sw.js (which
// puts the line `self.ZT_OFFLINE = {imports, precache}` before this file).
//
// It keeps on the phone only what the village worker needs offline:
// - the static files every page loads and the scripts of the two forms (precached);
// - the worker's own field pages, fetched from the network first and kept when answered 200:
//   离线随访 (/population/offline/), a follow-up (/population/followups/<id>/) and the visit
//   form of a person (/population/visits/new/?person=…). No other page is ever stored.
// Opening the login page or logging out empties the page cache, so a phone handed to someone
// else keeps no page of the previous worker. The queue of unsent records is not a cache: it
// lives in IndexedDB (static/js/offline.js) and each record names the worker who made it.
/* global workbox */
"use strict";

importScripts.apply(self, self.ZT_OFFLINE.imports);

var PAGES = "zt-pages-v1";
var FIELD_PAGES = [/^\/population\/offline\/$/, /^\/population\/followups\/\d+\/$/];
var SESSION_PAGES = ["/accounts/login/", "/accounts/logout/"];
var OFFLINE_PAGE =
  '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">' +
  '<meta name="viewport" content="width=device-width, initial-scale=1"><title>未联网 · 政通</title></head>' +
  '<body style="font-family: sans-serif; padding: 1rem"><h1 style="font-size: 1.25rem">当前未联网</h1>' +
  "<p>这个页面没有保存到本机,联网后才能打开。</p>" +
  '<p><a href="/population/offline/">返回离线随访</a></p></body></html>';

function isFieldPage(url) {
  if (url.origin !== self.location.origin) return false;
  if (url.pathname === "/population/visits/new/") return url.searchParams.has("person");
  return FIELD_PAGES.some(function (pattern) { return pattern.test(url.pathname); });
}

// Only a page the server answered in full for this session: not a redirect (to the login page),
// not an error page.
function cacheable(response) {
  return response && response.status === 200 && response.type === "basic" && !response.redirected;
}

var ownPagesOnly = {
  cacheWillUpdate: function (param) {
    return Promise.resolve(cacheable(param.response) ? param.response : null);
  },
};

// First, before Workbox's router: the login and logout pages empty the page cache.
self.addEventListener("fetch", function (event) {
  if (event.request.mode !== "navigate") return;
  var url = new URL(event.request.url);
  if (url.origin === self.location.origin && SESSION_PAGES.indexOf(url.pathname) !== -1) {
    event.waitUntil(caches.delete(PAGES));
  }
});

workbox.core.setCacheNameDetails({ prefix: "zt" });
workbox.core.skipWaiting();
workbox.core.clientsClaim();
workbox.precaching.cleanupOutdatedCaches();
workbox.precaching.precacheAndRoute(self.ZT_OFFLINE.precache);

workbox.routing.registerRoute(
  function (param) { return param.request.mode === "navigate" && isFieldPage(param.url); },
  new workbox.strategies.NetworkFirst({
    cacheName: PAGES,
    networkTimeoutSeconds: 5,
    plugins: [ownPagesOnly],
    matchOptions: { ignoreVary: true },
  })
);

workbox.routing.setCatchHandler(function (param) {
  if (param.request.mode === "navigate") {
    return Promise.resolve(new Response(OFFLINE_PAGE, {
      status: 503,
      headers: { "Content-Type": "text/html; charset=utf-8" },
    }));
  }
  return Promise.resolve(Response.error());
});

// 离线随访 asks for the pages of the worker's due follow-ups to be kept: each is fetched now
// and stored when the server answers it in full.
function keep(urls) {
  return caches.open(PAGES).then(function (cache) {
    var kept = 0;
    var chain = Promise.resolve();
    urls.forEach(function (href) {
      var url = new URL(href, self.location.origin);
      if (!isFieldPage(url)) return;
      chain = chain.then(function () {
        return fetch(url.href, { credentials: "same-origin", redirect: "manual" })
          .then(function (response) {
            if (!cacheable(response)) return null;
            kept += 1;
            return cache.put(url.href, response);
          })
          .catch(function () { return null; });
      });
    });
    return chain.then(function () { return kept; });
  });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "keep" && Array.isArray(data.urls)) {
    event.waitUntil(keep(data.urls).then(function (kept) {
      if (event.source) event.source.postMessage({ type: "kept", kept: kept, asked: data.urls.length });
    }));
  } else if (data.type === "forget") {
    event.waitUntil(caches.delete(PAGES));
  }
});
