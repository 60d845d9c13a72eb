/* The studio's service worker, served as /studio/sw.js so that its scope is the studio only: buyer pages
   are never touched. Workbox (our copy in /static/vendor/workbox/, never Google's CDN) keeps two studio
   pages and the studio's files on the phone, so the garment form and her list open without signal; the
   garments she prepares meanwhile wait in IndexedDB (static/js/offline.js), not here.

   - /studio/ and /studio/garments/new: network first (a fresh page, kept for later), the kept copy when
     there is no signal or the network takes more than 10 s. Only a 200 page of her own is kept; a
     redirect (she is logged out) empties the kept pages instead, so nothing private outlives her session.
   - /static/ files carry a content fingerprint (?v=…): kept once, served from the phone after that.
   - everything else (posting a garment, uploads, the token) goes to the network as if we were not here. */
/* global workbox, importScripts */
var WORKBOX = "7.4.1";  // bumped with package.json by `make vendor`; a new value makes phones update
var PREFIX = "/static/vendor/workbox/";
importScripts(PREFIX + "workbox-sw.js?v=" + WORKBOX);
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
