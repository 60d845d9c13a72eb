/* The studio without signal: prepare a garment with no connection, send it when the connection returns.

   Without this file (or without IndexedDB) nothing changes: the form posts as it always did. With it:
   - a service worker (/studio/sw.js, Workbox) keeps the studio's list and garment form on the phone;
   - the garment form, sent while the phone is offline, is kept in IndexedDB (static/js/queue.js, through
     idb) with its fields, its photos already downsized on the phone (static/js/upload.js hands them over)
     and her voice story: it survives closing the browser and restarting the phone;
   - it is sent whenever a studio page is open and the phone is online (on load, on the `online` event,
     every 30 s), and by the service worker on a Background Sync event even with no page open, one draft
     at a time, to the same garment form, asking for JSON. Each draft has its own key (`draft_key`, made
     here): a send interrupted after the server saved it and sent again is answered "already arrived",
     never a second garment;
   - the CSRF token is asked for (/studio/offline/token) just before sending, never the one of the day
     she prepared it; logged out, the draft stays and the queue says "log in to send"; a draft prepared
     under another account on this phone is not sent under hers;
   - after the server confirms, the draft (and its photos) is removed from the phone; only a line saying
     it arrived, with its link, stays for a week;
   - a damaged or oversized stored draft, or one the server refuses, is shown with its message and a
     button to remove it: it is never sent again by itself (no endless loop).
   Every visible word comes from the page (data-label-* filled by the server in her language). */
(function () {
  "use strict";
  var box = document.getElementById("offline-queue");
  if (!box || !window.idb || !window.TelarQueue || !window.indexedDB || !window.fetch || !window.FormData || !window.Promise) { return; }
  var labels = box.dataset;
  var me = parseInt(labels.user, 10);
  var MAX_BYTES = parseInt(labels.maxBytes, 10) || 24 * 1024 * 1024;
  var list = box.querySelector("ul");
  var status = document.getElementById("offline-status");
  var queue = window.TelarQueue;
  var urls = {token: labels.tokenUrl, send: labels.sendUrl};

  // --- what she sees ----------------------------------------------------------------------------------

  function text(tag, content, className) {
    var element = document.createElement(tag);
    element.textContent = content;
    if (className) { element.className = className; }
    return element;
  }

  function button(label, onClick) {
    var element = text("button", label, "secondary");
    element.type = "button";
    element.addEventListener("click", onClick);
    return element;
  }

  function link(label, href) {
    var element = text("a", label);
    element.href = href;
    return element;
  }

  var STATES = {waiting: "labelWaiting", sending: "labelSending", login: "labelLogin", other: "labelOther",
                refused: "labelRefused", stuck: "labelStuck"};

  function row(item) {
    var draft = item.draft || {};
    var li = document.createElement("li");
    var title = typeof draft.title === "string" && draft.title ? draft.title : labels.labelUntitled;
    li.appendChild(text("strong", title.slice(0, 200)));
    var state = item.problem || draft.state;
    li.className = "queued queued-" + state;
    if (item.problem) {
      li.appendChild(text("p", item.problem === "too_big" ? labels.labelTooBig : labels.labelBroken, "error"));
    } else if (state === "arrived") {
      var note = text("p", labels.labelArrived + " ");
      note.appendChild(link(labels.labelSee, draft.url));
      li.appendChild(note);
      return li;
    } else {
      li.appendChild(text("p", labels[STATES[state]] || labels.labelWaiting, state === "refused" ? "error" : "hint"));
      if (state === "refused" && draft.reason === "too_big") { li.appendChild(text("p", labels.labelTooBig, "error")); }
      if (state === "refused" && typeof draft.message === "string") { li.appendChild(text("p", draft.message, "error")); }
      if (state === "login") { li.appendChild(link(labels.labelLogIn, labels.loginUrl)); }
      if (state === "stuck") {
        li.appendChild(button(labels.labelRetry, function () { queue.change(draft, {state: "waiting", attempts: 0}).then(flush); }));
      }
      if (state !== "refused" && state !== "stuck") { return li; }
    }
    li.appendChild(button(labels.labelRemove, function () { queue.remove(item.id).then(render); }));
    return li;
  }

  function render() {
    return queue.all(MAX_BYTES).then(function (items) {
      list.textContent = "";
      items.sort(function (a, b) { return ((a.draft || {}).created || 0) - ((b.draft || {}).created || 0); });
      items.forEach(function (item) { list.appendChild(row(item)); });
      box.hidden = items.length === 0;
    });
  }

  function say(message) {
    status.textContent = message;
    box.hidden = false;
  }

  // --- sending ----------------------------------------------------------------------------------------

  var flushing = null, backoff = 2000;
  /* Send what waits (static/js/queue.js: one sender at a time on the phone). A send cut by the network
     is tried again after 2 s, 4 s, 8 s… (at most 30 s, as the regular round). */
  function flush() {
    if (flushing || !navigator.onLine) { return flushing || Promise.resolve(); }
    flushing = queue.sendAll(urls, MAX_BYTES, render).catch(function () { return "cut"; }).then(function (outcome) {
      flushing = null;
      if (outcome === "cut") { setTimeout(flush, backoff); backoff = Math.min(backoff * 2, 30000); } else { backoff = 2000; }
      return render();
    });
    return flushing;
  }

  /* Ask the service worker to send what waits when the signal returns, even if no studio page is open
     then (Background Sync, where the browser has it). */
  function syncLater() {
    if (!navigator.serviceWorker) { return; }
    navigator.serviceWorker.ready.then(function (registration) {
      return registration.sync && registration.sync.register(queue.SYNC_TAG);
    }).catch(function () {});
  }

  // --- the garment form, offline ---------------------------------------------------------------------

  var form = document.getElementById("garment-form");
  var kept = [];  // photos downsized on the phone while offline: {blob, name}
  var photoList = document.getElementById("photo-list");

  function keepPhoto(blob, name) {
    kept.push({blob: blob, name: name});
    var item = document.createElement("li");
    item.className = "photo kept";
    var reader = new FileReader();  // a data: URL, which the page's CSP allows for images (blob: is not)
    reader.onload = function () {
      var img = document.createElement("img");
      img.src = reader.result; img.alt = ""; img.width = 120;
      item.insertBefore(img, item.firstChild);
    };
    reader.readAsDataURL(blob);
    item.appendChild(text("p", labels.labelKeptPhoto, "hint"));
    photoList.appendChild(item);
  }

  function keepDraft(action) {
    var entries = [];
    new FormData(form).forEach(function (value, name) {
      if (name === "csrf_token" || name === "draft_key" || name === "action") { return; }
      if (value instanceof Blob) {
        if (value.size) { entries.push({name: name, blob: value, filename: value.name || "file"}); }
      } else {
        entries.push({name: name, value: value});
      }
    });
    kept.forEach(function (photo) { entries.push({name: "photos", blob: photo.blob, filename: photo.name}); });
    entries.push({name: "action", value: action});
    var draft = {key: queue.newKey(), user: me, title: (form.elements.title || {}).value || "", entries: entries,
                 state: "waiting", attempts: 0, created: Date.now()};
    var trouble = queue.problem(draft, MAX_BYTES);
    if (trouble) { say(trouble === "too_big" ? labels.labelTooBig : labels.labelBroken); return Promise.resolve(); }
    return queue.save(draft).then(function () {
      syncLater();
      // Ready for the next garment: photos kept or already uploaded (their tokens) went with this one.
      form.reset();
      kept = [];
      Array.prototype.forEach.call(photoList.querySelectorAll("li.kept, li.pending"), function (li) { li.remove(); });
      var voiceStatus = document.getElementById("voice-status");
      if (voiceStatus) { voiceStatus.textContent = ""; }
      say(labels.labelSaved);
      return render();
    }).then(function () { box.scrollIntoView(); status.focus(); });
  }

  if (form && form.querySelector("input[name=draft_key]") && photoList) {
    window.TelarOffline = {keepPhoto: keepPhoto};
    form.addEventListener("submit", function (event) {
      if (navigator.onLine) { return; }  // with signal the form posts as always
      event.preventDefault();
      var action = (event.submitter && event.submitter.value) || "draft";
      if (action === "calculate") { say(labels.labelNeedsSignal); return; }
      keepDraft(action);
    });
  }

  // --- the page itself, offline ------------------------------------------------------------------------

  var banner = document.getElementById("offline-banner");
  function showConnection() {
    banner.hidden = navigator.onLine;
    // A kept page may carry the message of the day it was kept ("your garment is published"): not now.
    Array.prototype.forEach.call(document.querySelectorAll(".flash"), function (flash) {
      if (!navigator.onLine) { flash.hidden = true; }
    });
  }

  // Logging out empties the kept pages (her drafts stay: they are sent once she logs in again).
  Array.prototype.forEach.call(document.querySelectorAll("form[action$='/logout']"), function (logout) {
    logout.addEventListener("submit", function (event) {
      if (!window.caches) { return; }
      event.preventDefault();
      caches.delete("telar-studio-pages").then(function () { logout.submit(); }, function () { logout.submit(); });
    });
  });

  if (navigator.serviceWorker && labels.sw) {
    navigator.serviceWorker.register(labels.sw, {scope: labels.scope}).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      // Keep the studio's pages and files now, so they open the next time there is no signal; only what
      // the phone does not have yet (a page she visits is refreshed by visiting it): nothing more to
      // download on a weak link once they are kept.
      var urls = labels.keep.split(" ");
      return Promise.all(urls.map(function (url) { return caches.match(url); })).then(function (found) {
        var missing = urls.filter(function (url, i) { return !found[i]; });
        if (missing.length) { registration.active.postMessage({type: "CACHE_URLS", payload: {urlsToCache: missing}}); }
      });
    }).catch(function () {});
  }

  if (navigator.serviceWorker) {  // the service worker sent something: show it
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === queue.SYNC_TAG) { render(); }
    });
  }
  window.addEventListener("online", function () { showConnection(); flush(); });
  window.addEventListener("offline", showConnection);
  setInterval(flush, 30000);
  showConnection();
  render().then(flush);
}());
