/* The studio without signal: prepare a garment with no connection, send it when the connection returns.

   Without this file (or without IndexedDB) nothing changes: the form posts as it always did. With it:
   - a service worker (/studio/sw.js, Workbox) keeps the studio's list and garment form on the phone;
   - the garment form, sent while the phone is offline, is kept in IndexedDB (through idb) with its
     fields, its photos already downsized on the phone (static/js/upload.js hands them over) and her
     voice story: it survives closing the browser and restarting the phone;
   - whenever a studio page is open and the phone is online (on load, on the `online` event, every 30 s)
     the queue sends what waits, one draft at a time, to the same garment form, asking for JSON. Each
     draft has its own key (`draft_key`, made here): a send interrupted after the server saved it and
     sent again is answered "already arrived", never a second garment;
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
  if (!box || !window.idb || !window.indexedDB || !window.fetch || !window.FormData || !window.Promise) { return; }
  var labels = box.dataset;
  var me = parseInt(labels.user, 10);
  var STORE = "drafts";
  var KEY = /^[A-Za-z0-9_-]{16,64}$/;
  var MAX_BYTES = parseInt(labels.maxBytes, 10) || 24 * 1024 * 1024;
  var MAX_ATTEMPTS = 5;  // answers that are neither "arrived" nor "refused" (a 500, an expired token…)
  var ARRIVED_KEPT_MS = 7 * 24 * 3600 * 1000;
  var list = box.querySelector("ul");
  var status = document.getElementById("offline-status");
  var database = idb.openDB("telar-offline", 1, {
    upgrade: function (db) { db.createObjectStore(STORE, {keyPath: "key"}); }
  });

  // --- the phone's drafts ---------------------------------------------------------------------------

  function newKey() {
    var bytes = new Uint8Array(18);
    crypto.getRandomValues(bytes);
    return btoa(String.fromCharCode.apply(null, bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  /* What is wrong with a stored draft, if anything: "broken" (not what this script writes: damaged, or
     written by something else) or "too_big" (more than the server accepts in one request). */
  function problem(draft) {
    if (!draft || typeof draft !== "object" || typeof draft.key !== "string" || !KEY.test(draft.key)) { return "broken"; }
    if (draft.state === "arrived") { return typeof draft.url === "string" ? null : "broken"; }
    if (!Array.isArray(draft.entries) || typeof draft.user !== "number") { return "broken"; }
    var bytes = 0;
    for (var i = 0; i < draft.entries.length; i += 1) {
      var entry = draft.entries[i];
      if (!entry || typeof entry.name !== "string") { return "broken"; }
      if (entry.blob !== undefined) {
        if (!(entry.blob instanceof Blob)) { return "broken"; }
        bytes += entry.blob.size;
      } else if (typeof entry.value === "string") {
        bytes += entry.value.length;
      } else {
        return "broken";
      }
    }
    return bytes > MAX_BYTES ? "too_big" : null;
  }

  function all() {
    return database.then(function (db) {
      return Promise.all([db.getAllKeys(STORE), db.getAll(STORE)]).then(function (found) {
        var now = Date.now();
        return found[1].map(function (draft, i) {
          return {id: found[0][i], draft: draft, problem: problem(draft)};
        }).filter(function (item) {
          var old = !item.problem && item.draft.state === "arrived" && now - item.draft.arrived > ARRIVED_KEPT_MS;
          if (old) { db.delete(STORE, item.id); }
          return !old;
        });
      });
    });
  }

  function save(draft) { return database.then(function (db) { return db.put(STORE, draft); }); }
  function remove(id) { return database.then(function (db) { return db.delete(STORE, id); }); }
  function change(draft, fields) { return save(Object.assign(draft, fields)); }

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
      if (state === "refused" && typeof draft.message === "string") { li.appendChild(text("p", draft.message, "error")); }
      if (state === "login") { li.appendChild(link(labels.labelLogIn, labels.loginUrl)); }
      if (state === "stuck") {
        li.appendChild(button(labels.labelRetry, function () { change(draft, {state: "waiting", attempts: 0}).then(flush); }));
      }
      if (state !== "refused" && state !== "stuck") { return li; }
    }
    li.appendChild(button(labels.labelRemove, function () { remove(item.id).then(render); }));
    return li;
  }

  function render() {
    return all().then(function (items) {
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

  /* {csrf_token, user} for this session; "login" when she is logged out; null when the server cannot be
     reached (no real connection although the phone says online). */
  function whoIsHere() {
    return fetch(labels.tokenUrl, {credentials: "same-origin", redirect: "manual", cache: "no-store",
                                   headers: {"Accept": "application/json"}}).then(function (response) {
      if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) { return "login"; }
      return response.ok ? response.json() : null;
    }).catch(function () { return null; });
  }

  function body(draft, token) {
    var data = new FormData();
    draft.entries.forEach(function (entry) {
      if (entry.blob !== undefined) { data.append(entry.name, entry.blob, entry.filename || "file"); }
      else { data.append(entry.name, entry.value); }
    });
    data.append("draft_key", draft.key);
    data.append("csrf_token", token);
    return data;
  }

  function send(draft, token) {
    return change(draft, {state: "sending"}).then(render).then(function () {
      return fetch(labels.sendUrl, {method: "POST", body: body(draft, token), credentials: "same-origin",
                                    redirect: "manual", headers: {"Accept": "application/json"}});
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (answer) {
        if (response.ok && answer && answer.arrived === true && typeof answer.url === "string") {
          // Arrived: the fields, photos and voice leave the phone; a line with the link stays a week.
          return save({key: draft.key, user: draft.user, title: draft.title, state: "arrived",
                       url: answer.url, arrived: Date.now(), created: draft.created});
        }
        if (response.type === "opaqueredirect") { return change(draft, {state: "login"}); }
        if (response.status === 422 && answer && Array.isArray(answer.errors)) {
          return change(draft, {state: "refused", message: answer.errors.join(" ")});
        }
        if (response.status === 413) { return change(draft, {state: "refused", message: labels.labelTooBig}); }
        var attempts = (draft.attempts || 0) + 1;
        return change(draft, {state: attempts >= MAX_ATTEMPTS ? "stuck" : "waiting", attempts: attempts});
      });
    }, function () {
      // The connection dropped while sending: it waits, and goes again soon with the same draft_key (if
      // the server had saved it, the answer is "already arrived").
      retrySoon = true;
      return change(draft, {state: "waiting"});
    });
  }

  function sendAll() {
    return all().then(function (items) {
      var waiting = items.filter(function (item) {
        return !item.problem && ["waiting", "sending", "login", "other"].indexOf(item.draft.state) >= 0;
      }).map(function (item) { return item.draft; });
      if (!waiting.length) { return null; }
      return whoIsHere().then(function (here) {
        if (here === null) { return null; }
        return waiting.reduce(function (previous, draft) {
          return previous.then(function () {
            if (here === "login") { return change(draft, {state: "login"}); }
            if (draft.user !== here.user) { return change(draft, {state: "other"}); }
            return send(draft, here.csrf_token);
          });
        }, Promise.resolve());
      });
    });
  }

  var flushing = null, retrySoon = false, backoff = 2000;
  /* Send what waits, once at a time in this tab, and (Web Locks) once at a time across her tabs. A send
     cut by the network is tried again after 2 s, 4 s, 8 s… (at most 30 s, as the regular round). */
  function flush() {
    if (flushing || !navigator.onLine) { return flushing || Promise.resolve(); }
    retrySoon = false;
    var run = navigator.locks ? navigator.locks.request("telar-offline-queue", sendAll) : sendAll();
    flushing = run.catch(function () {}).then(function () {
      flushing = null;
      if (retrySoon) { setTimeout(flush, backoff); backoff = Math.min(backoff * 2, 30000); } else { backoff = 2000; }
      return render();
    });
    return flushing;
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
    var draft = {key: newKey(), user: me, title: (form.elements.title || {}).value || "", entries: entries,
                 state: "waiting", attempts: 0, created: Date.now()};
    var trouble = problem(draft);
    if (trouble) { say(trouble === "too_big" ? labels.labelTooBig : labels.labelBroken); return Promise.resolve(); }
    return save(draft).then(function () {
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

  window.addEventListener("online", function () { showConnection(); flush(); });
  window.addEventListener("offline", showConnection);
  setInterval(flush, 30000);
  showConnection();
  render().then(flush);
}());
