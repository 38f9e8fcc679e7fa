// Field work without a connection (the follow-up page, the visit form and 离线随访).
//
// - Registers the service worker (/population/sw.js, static/js/sw.js), which keeps the pages.
// - Offline, a follow-up or a visit form is not sent: the record is put in a local queue in
//   IndexedDB (idb-keyval), with a fresh client_uuid and the name of the worker who made it.
// - Online again (the "online" event, the page opened online, or 重新发送), each queued record
//   of the signed-in worker is posted once to /population/sync/. Saved (or already saved) ones
//   leave the queue; the others stay with the server's message beside them, to retry or delete.
/* global idbKeyval */
(function () {
  "use strict";
  var box = document.getElementById("offline-outbox");
  if (!box || !window.idbKeyval) return;
  var store = idbKeyval.createStore("zt-offline", "records");
  var user = box.dataset.user;
  var syncUrl = box.dataset.syncUrl;
  var loginUrl = box.dataset.loginUrl;
  var sending = false;
  var sent = [];

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function say(text, tone) {
    var status = document.getElementById("offline-status");
    status.textContent = text || "";
    status.className = "small mb-0 " + (tone ? "text-" + tone : "text-muted");
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function localTime(iso) {
    var d = new Date(iso);
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate()) + " " + two(d.getHours()) + ":" + two(d.getMinutes());
  }

  // The queue -------------------------------------------------------------------------------

  function mine() {
    return idbKeyval.values(store).then(function (rows) {
      var own = rows.filter(function (row) { return row.user === user; });
      own.sort(function (a, b) { return a.saved_at < b.saved_at ? -1 : 1; });
      return { own: own, others: rows.length - own.length };
    });
  }

  function render() {
    return mine().then(function (rows) {
      var list = document.getElementById("offline-list");
      list.replaceChildren();
      document.getElementById("offline-count").textContent = String(rows.own.length);
      rows.own.forEach(function (row) { list.appendChild(item(row)); });
      sent.forEach(function (row) { list.appendChild(sentItem(row)); });
      var others = document.getElementById("offline-others");
      others.textContent = rows.others ? "本机另有其他账号的 " + rows.others + " 条未发送记录,须由其本人登录后发送。" : "";
      document.getElementById("offline-retry").disabled = !rows.own.length;
      box.classList.toggle("border-warning", rows.own.length > 0);
    });
  }

  function item(row) {
    var li = el("li", "list-group-item");
    li.dataset.clientUuid = row.client_uuid;
    var head = el("div", "d-flex flex-wrap gap-2 align-items-center");
    head.appendChild(el("span", "badge text-bg-warning", "未发送"));
    head.appendChild(el("span", "", row.label));
    var discard = el("button", "btn btn-sm btn-outline-danger py-0", "删除");
    discard.type = "button";
    discard.addEventListener("click", function () {
      if (discard.dataset.armed !== "1") {
        discard.dataset.armed = "1";
        discard.textContent = "确认删除";
        return;
      }
      idbKeyval.del(row.client_uuid, store).then(render);
    });
    li.appendChild(head);
    li.appendChild(el("div", "small text-muted", row.summary + " · 本机保存于 " + localTime(row.saved_at)));
    if (row.message) {
      var why = el("div", "small text-danger offline-conflict", row.message);
      if (row.url) {
        var link = el("a", "ms-1", "查看");
        link.href = row.url;
        why.appendChild(link);
      }
      li.appendChild(why);
    }
    var actions = el("div", "mt-1");
    actions.appendChild(discard);
    li.appendChild(actions);
    return li;
  }

  function sentItem(row) {
    var li = el("li", "list-group-item small");
    li.appendChild(el("span", "badge text-bg-success me-2", "已发送"));
    li.appendChild(el("span", "", row.label + ":" + row.message));
    if (row.url) {
      var link = el("a", "ms-1", "查看");
      link.href = row.url;
      li.appendChild(link);
    }
    return li;
  }

  // Recording offline -----------------------------------------------------------------------

  function value(form, name) {
    var field = form.elements.namedItem(name);
    return field && typeof field.value === "string" ? field.value.trim() : "";
  }

  var KINDS = {
    followup: {
      fields: ["done_on", "outcome"],
      required: { done_on: "请填写随访日期。", outcome: "请填写随访情况。" },
      record: function (form) {
        return { followup: Number(form.dataset.followup), done_on: value(form, "done_on"), outcome: value(form, "outcome") };
      },
      summary: function (r) { return "随访日期 " + r.done_on; },
    },
    visit: {
      fields: ["visited_on", "place", "outcome", "latitude", "longitude"],
      required: { visited_on: "请填写走访日期。", place: "地点不能为空。", outcome: "走访情况不能为空。" },
      record: function (form) {
        return {
          person: Number(form.dataset.person),
          followup: form.dataset.followup ? Number(form.dataset.followup) : null,
          visited_on: value(form, "visited_on"),
          place: value(form, "place"),
          outcome: value(form, "outcome"),
          latitude: value(form, "latitude"),
          longitude: value(form, "longitude"),
        };
      },
      summary: function (r) { return "走访日期 " + r.visited_on + " · " + r.place; },
    },
  };

  function queue(form, kind) {
    var spec = KINDS[kind];
    var note = form.querySelector("[data-offline-note]");
    var missing = Object.keys(spec.required).filter(function (name) { return !value(form, name); });
    if (missing.length) {
      note.className = "col-12 small text-danger";
      note.textContent = missing.map(function (name) { return spec.required[name]; }).join(" ");
      return;
    }
    var photos = form.querySelector("input[type=file]");
    var files = photos && photos.files ? Array.prototype.slice.call(photos.files) : [];
    var record = spec.record(form);
    record.client_uuid = newId();
    record.kind = kind;
    var row = {
      client_uuid: record.client_uuid,
      user: user,
      label: form.dataset.label,
      summary: spec.summary(record),
      saved_at: new Date().toISOString(),
      record: record,
      photos: files,
      message: "",
    };
    if (files.length) row.summary += " · 照片 " + files.length + " 张";
    idbKeyval.set(row.client_uuid, row, store).then(function () {
      note.className = "col-12 small text-success";
      note.textContent = "当前未联网:已保存在本机,联网后自动发送。";
      ["outcome"].forEach(function (name) {
        var field = form.elements.namedItem(name);
        if (field) field.value = "";
      });
      if (photos) photos.value = "";
      return render();
    });
  }

  document.querySelectorAll("form").forEach(function (form) {
    var kind = form.dataset.offlineKind;
    form.addEventListener("submit", function (event) {
      if (navigator.onLine) return;
      event.preventDefault();
      if (kind && KINDS[kind]) {
        queue(form, kind);
      } else {
        say("当前未联网,这一项须联网后办理。", "danger");
      }
    });
  });

  // Sending ---------------------------------------------------------------------------------

  function token() {
    return fetch(syncUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 401) throw new Error("login");
        return response.json().then(function (body) {
          if (!response.ok) throw new Error(body.error || "发送失败。");
          if (body.user !== user) throw new Error("login");
          return body.csrf_token;
        });
      });
  }

  // A photo kept in the queue, as the sync endpoint takes it (base64).
  function encoded(file) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () {
        resolve({ name: file.name, type: file.type, data: String(reader.result).split(",")[1] || "" });
      };
      reader.onerror = function () { reject(new Error("读取照片失败,")); };
      reader.readAsDataURL(file);
    });
  }

  function post(csrf, row) {
    return Promise.all((row.photos || []).map(encoded)).then(function (photos) {
      var record = Object.assign({}, row.record);
      if (photos.length) record.photos = photos;
      return fetch(syncUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ records: [record] }),
      });
    }).then(function (response) {
      if (response.status === 401) throw new Error("login");
      return response.json().catch(function () { throw new Error("服务器暂时无法处理,请稍后重试。"); })
        .then(function (body) {
          if (!response.ok) throw new Error(body.error || "发送失败,请稍后重试。");
          return body.results[0];
        });
    });
  }

  function send(all) {
    if (sending || !navigator.onLine) return Promise.resolve();
    return mine().then(function (rows) {
      var todo = rows.own.filter(function (row) { return all || !row.message; });
      if (!todo.length) return null;
      sending = true;
      say("正在发送 " + todo.length + " 条离线记录…");
      var stored = 0;
      var kept = 0;
      return token().then(function (csrf) {
        return todo.reduce(function (chain, row) {
          return chain.then(function () {
            return post(csrf, row).then(function (result) {
              if (result.status === "saved" || result.status === "duplicate") {
                stored += 1;
                sent.push({ label: row.label, message: result.message, url: result.url });
                return idbKeyval.del(row.client_uuid, store);
              }
              kept += 1;
              row.message = result.message;
              row.url = result.url;
              return idbKeyval.set(row.client_uuid, row, store);
            });
          });
        }, Promise.resolve());
      }).then(function () {
        say(kept ? "已发送 " + stored + " 条;" + kept + " 条未能保存,原因见各条记录。" : "已发送 " + stored + " 条离线记录。", kept ? "danger" : "success");
      }).catch(function (error) {
        if (error.message === "login") {
          say("登录已过期,请重新登录后再发送;记录仍保存在本机。", "danger");
          var link = el("a", "ms-1", "去登录");
          link.href = loginUrl + "?next=" + encodeURIComponent(location.pathname + location.search);
          document.getElementById("offline-status").appendChild(link);
        } else if (error instanceof TypeError) {
          say("网络不通,记录仍保存在本机,联网后再发送。", "danger");
        } else {
          say(error.message + "记录仍保存在本机。", "danger");
        }
      }).then(function () {
        sending = false;
        return render();
      });
    });
  }

  function showConnection() {
    document.getElementById("offline-state").textContent = navigator.onLine
      ? ""
      : "当前未联网:登记的随访和走访先保存在本机,联网后自动发送。";
  }

  document.getElementById("offline-retry").addEventListener("click", function () { send(true); });
  window.addEventListener("online", function () { showConnection(); send(false); });
  window.addEventListener("offline", showConnection);

  // The service worker, and the pages 离线随访 asks it to keep -------------------------------

  function keepPages() {
    var links = document.querySelectorAll("a[data-offline-page]");
    var urls = Array.prototype.map.call(links, function (a) { return a.getAttribute("href"); });
    urls.push(location.pathname + location.search);
    return navigator.serviceWorker.ready.then(function (registration) {
      registration.active.postMessage({ type: "keep", urls: urls });
    });
  }

  if ("serviceWorker" in navigator && box.dataset.swUrl) {
    navigator.serviceWorker.addEventListener("message", function (event) {
      var data = event.data || {};
      if (data.type !== "kept") return;
      var kept = document.getElementById("offline-kept");
      if (kept) kept.textContent = "已将 " + data.kept + " 个页面保存到本机,未联网时也能打开。";
    });
    navigator.serviceWorker.register(box.dataset.swUrl, { scope: "/" }).then(function () {
      if (navigator.onLine) return keepPages();
      return null;
    }).catch(function () {
      var kept = document.getElementById("offline-kept");
      if (kept) kept.textContent = "此浏览器不能离线保存页面。";
    });
  }

  showConnection();
  render().then(function () { return send(false); });
})();
