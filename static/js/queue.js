/* The phone's queue of garments prepared without signal, shared by the studio pages (static/js/offline.js,
   which shows it and adds to it) and the service worker (templates/studio/sw.js, which sends it on a
   Background Sync event, even with no studio page open). No page, no words: only IndexedDB (through idb)
   and the network. Needs `idb` loaded first.

   A draft: {key (its own draft_key), user, title, entries: [{name, value} | {name, blob, filename}],
   state, attempts, created}. States: waiting, sending, arrived (then only {key, user, title, url,
   arrived}), login (she is logged out), other (prepared under another account), refused (with the
   form's `message`, or `reason` "too_big"), stuck (after MAX_ATTEMPTS answers that were neither). */
(function (scope) {
  "use strict";
  var STORE = "drafts";
  var KEY = /^[A-Za-z0-9_-]{16,64}$/;
  var MAX_ATTEMPTS = 5;  // answers that are neither "arrived" nor "refused" (a 500, an expired token…)
  var ARRIVED_KEPT_MS = 7 * 24 * 3600 * 1000;
  var TO_SEND = ["waiting", "sending", "login", "other"];
  var database = null;

  function open() {
    database = database || scope.idb.openDB("telar-offline", 1, {
      upgrade: function (db) { db.createObjectStore(STORE, {keyPath: "key"}); }
    });
    return database;
  }

  function newKey() {
    var bytes = new Uint8Array(18);
    crypto.getRandomValues(bytes);
    return btoa(String.fromCharCode.apply(null, bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  /* What is wrong with a stored draft, if anything: "broken" (not what this script writes: damaged, or
     written by something else) or "too_big" (more than `maxBytes`, what the server accepts at once). */
  function problem(draft, maxBytes) {
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
    return maxBytes && bytes > maxBytes ? "too_big" : null;
  }

  /* Every stored draft as {id, draft, problem}; arrived lines older than a week are forgotten. */
  function all(maxBytes) {
    return open().then(function (db) {
      return Promise.all([db.getAllKeys(STORE), db.getAll(STORE)]).then(function (found) {
        var now = Date.now();
        return found[1].map(function (draft, i) {
          return {id: found[0][i], draft: draft, problem: problem(draft, maxBytes)};
        }).filter(function (item) {
          var old = !item.problem && item.draft.state === "arrived" && now - item.draft.arrived > ARRIVED_KEPT_MS;
          if (old) { db.delete(STORE, item.id); }
          return !old;
        });
      });
    });
  }

  function save(draft) { return open().then(function (db) { return db.put(STORE, draft); }); }
  function remove(id) { return open().then(function (db) { return db.delete(STORE, id); }); }
  function change(draft, fields) { return save(Object.assign(draft, fields)); }

  /* {csrf_token, user} for this session; "login" when she is logged out; null when the server cannot be
     reached (no real connection although the phone says online). */
  function whoIsHere(tokenUrl) {
    return fetch(tokenUrl, {credentials: "same-origin", redirect: "manual", cache: "no-store",
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

  /* Send one draft; resolves to true when the network cut the send (try again soon). */
  function send(draft, token, urls, changed) {
    return change(draft, {state: "sending"}).then(changed).then(function () {
      return fetch(urls.send, {method: "POST", body: body(draft, token), credentials: "same-origin",
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
        if (response.status === 413) { return change(draft, {state: "refused", reason: "too_big"}); }
        var attempts = (draft.attempts || 0) + 1;
        return change(draft, {state: attempts >= MAX_ATTEMPTS ? "stuck" : "waiting", attempts: attempts});
      }).then(function () { return false; });
    }, function () {
      // The connection dropped while sending: it waits, and goes again with the same draft_key (if the
      // server had saved it, the answer is "already arrived").
      return change(draft, {state: "waiting"}).then(function () { return true; });
    });
  }

  /* Send every draft that waits, one at a time, and at most one sender at a time on the phone (Web
     Locks: her tabs and the service worker). Resolves to "cut" (a send was cut, or the server could not
     be reached: try again soon), "login", or "done". `urls`: {token, send}. */
  function sendAll(urls, maxBytes, changed) {
    changed = changed || function () {};
    function run() {
      return all(maxBytes).then(function (items) {
        var waiting = items.filter(function (item) {
          return !item.problem && TO_SEND.indexOf(item.draft.state) >= 0;
        }).map(function (item) { return item.draft; });
        if (!waiting.length) { return "done"; }
        return whoIsHere(urls.token).then(function (here) {
          if (here === null) { return "cut"; }
          return waiting.reduce(function (previous, draft) {
            return previous.then(function (cut) {
              if (here === "login") { return change(draft, {state: "login"}).then(function () { return cut; }); }
              if (draft.user !== here.user) { return change(draft, {state: "other"}).then(function () { return cut; }); }
              return send(draft, here.csrf_token, urls, changed).then(function (wasCut) { return cut || wasCut; });
            });
          }, Promise.resolve(false)).then(function (cut) { return cut ? "cut" : (here === "login" ? "login" : "done"); });
        });
      });
    }
    var locks = scope.navigator && scope.navigator.locks;
    return locks ? locks.request("telar-offline-queue", run) : run();
  }

  scope.TelarQueue = {SYNC_TAG: "telar-queue", newKey: newKey, problem: problem, all: all, save: save,
                      remove: remove, change: change, sendAll: sendAll};
}(self));
