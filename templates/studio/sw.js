/* The studio's service worker, served as /studio/sw.js so that its scope is the studio only: buyer pages
   are never touched. (A template only so that the queue's and idb's fingerprinted URLs are written in:
   a change to either makes phones fetch this worker again.)

   Workbox (our copy in /static/vendor/workbox/, never Google's CDN) keeps two studio pages and the
   studio's files on the phone, so the garment form and her list open without signal. The garments she
   prepares meanwhile wait in IndexedDB (static/js/queue.js); on a Background Sync event (the browser's
   "the signal is back", asked for by static/js/offline.js when a draft is kept) this worker sends them,
   even with no studio page open; an open studio page sends them too, one sender at a time.

   - /studio/ and /studio/garments/new: network first (a fresh page, kept for later), the kept copy when
     there is no signal or the network takes more than 10 s. Only a 200 page of her own is kept; a
     redirect (she is logged out) empties the kept pages instead, so nothing private outlives her session.
   - /static/ files carry a content fingerprint (?v=…): kept once, served from the phone after that.
   - everything else (posting a garment, uploads, the token) goes to the network as if we were not here. */
/* global workbox, importScripts, TelarQueue */
var WORKBOX = "7.4.1";  // bumped with package.json by `make vendor`; a new value makes phones update
var PREFIX = "/static/vendor/workbox/";
importScripts(PREFIX + "workbox-sw.js?v=" + WORKBOX, "{{ static_url('vendor/idb/umd.js') }}",
              "{{ static_url('js/queue.js') }}");
workbox.setConfig({debug: false, modulePathCb: function (name) { return PREFIX + name + ".prod.js?v=" + WORKBOX; }});

var PAGES = "telar-studio-pages";
var OFFLINE_PAGES = ["/studio/", "/studio/garments/new"];

var onlyHerOwnPages = {
  cacheWillUpdate: function (args) {
    var response = args.response;
    if (response.type === "opaqueredirect" || response.redirected) {
      return caches.delete(PAGES).then(function () { return null; });
    }
    return response.status === 200 && response.type === "basic" ? response : null;
  }
};

workbox.routing.registerRoute(
  function (match) { return match.sameOrigin && OFFLINE_PAGES.indexOf(match.url.pathname) >= 0; },
  new workbox.strategies.NetworkFirst({cacheName: PAGES, networkTimeoutSeconds: 10, plugins: [onlyHerOwnPages]}));

workbox.routing.registerRoute(
  function (match) { return match.sameOrigin && match.url.pathname.indexOf("/static/") === 0 && match.url.searchParams.has("v"); },
  new workbox.strategies.CacheFirst({cacheName: "telar-studio-files"}));

self.addEventListener("install", function () { self.skipWaiting(); });
workbox.core.clientsClaim();

var QUEUE_URLS = {token: "{{ url_for('studio.offline_token') }}", send: "{{ url_for('studio.new_garment') }}"};

self.addEventListener("sync", function (event) {
  if (event.tag !== TelarQueue.SYNC_TAG) { return; }
  event.waitUntil(TelarQueue.sendAll(QUEUE_URLS).then(function (outcome) {
    return self.clients.matchAll().then(function (pages) {
      pages.forEach(function (page) { page.postMessage({type: TelarQueue.SYNC_TAG}); });
      // No real connection after all: the browser tries this event again later.
      if (outcome === "cut") { throw new Error("the queue could not be sent yet"); }
    });
  }));
});
