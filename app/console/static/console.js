// The console's behaviour: every action goes to the JSON API (with the sign-in cookie and the
// page's CSRF token), live parts follow the API's server-sent events, and time on the page is
// the server's (an offset measured at load and at each event, never the browser's clock).
"use strict";

const csrf = () => document.querySelector('meta[name="csrf-token"]').content;
const lang = () => document.querySelector('meta[name="lang"]').content;
const zh = () => lang() === "zh";

// The platform's codes in the page's language (app/console/i18n.py CODES, embedded by base.html):
// label("code", "published") is 已发布 on a Chinese page; a code without words shows as it is.
const CODES = JSON.parse((document.getElementById("codes") || { textContent: "{}" }).textContent);
// Money as the server sends it (a decimal string) with ¥ and thousands separators: the digits are
// grouped as text, never through a float.
function yuan(amount) {
  if (amount === undefined || amount === null || amount === "") return "—";
  const [whole, cents = "00"] = String(amount).replace(/^-/, "").split(".");
  const sign = String(amount).startsWith("-") ? "-" : "";
  return `${sign}¥${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${(cents + "00").slice(0, 2)}`;
}
const label = (namespace, value) => (value === undefined || value === null ? "" : CODES[`${namespace}:${value}`] || String(value));

// The API answers a problem in the page's language (Accept-Language; Content-Language says which).
const language = () => (zh() ? "zh-CN" : "en");

async function api(method, url, body, headers = {}) {
  const init = { method, headers: { "X-CSRF-Token": csrf(), "Accept-Language": language(), ...headers }, credentials: "same-origin" };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
  }
  const response = await fetch(url, init);
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) throw Object.assign(new Error(data && data.detail ? data.detail : response.statusText), { problem: data, status: response.status, language: response.headers.get("Content-Language") });
  return data;
}

// Upload a file as the raw body with progress (XMLHttpRequest reports upload progress; fetch does not).
function upload(url, file, progress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", url);
    request.setRequestHeader("X-CSRF-Token", csrf());
    request.setRequestHeader("Accept-Language", language());
    request.setRequestHeader("Content-Type", "application/octet-stream");
    request.upload.onprogress = (event) => { if (event.lengthComputable) progress.value = Math.round((100 * event.loaded) / event.total); };
    request.onload = () => {
      const data = request.responseText ? JSON.parse(request.responseText) : null;
      if (request.status >= 200 && request.status < 300) { progress.value = 100; resolve(data); }
      else reject(Object.assign(new Error(data && data.detail ? data.detail : String(request.status)), { problem: data, language: request.getResponseHeader("Content-Language") }));
    };
    request.onerror = () => reject(new Error(zh() ? "网络错误" : "network error"));
    request.send(file);
  });
}

function el(tag, text, attrs = {}) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  return node;
}

// A problem (RFC 7807) shown in full: every invalid field, or every deficiency of the notice. On
// a Chinese page the type's Chinese title, with the detail only when the API gave it in Chinese.
function showProblem(box, error) {
  box.replaceChildren();
  const problem = error.problem || {};
  const items = problem.deficiencies || problem["invalid-params"] || [];
  const slug = problem.type ? problem.type.split("/").pop() : null;
  const chineseDetail = problem.detail && String(error.language || "").startsWith("zh") ? problem.detail : "";
  const summary = problem.deficiencies && zh() ? `共 ${items.length} 项问题，请一并改正后重新提交`
    : zh() && slug ? `${label("problem", slug)}${chineseDetail && !items.length ? "：" + chineseDetail : ""}`
    : zh() ? (chineseDetail || "操作未成功，请稍后重试")
    : problem.detail || error.message;
  box.append(el("p", summary));
  if (items.length) {
    const list = el("ol");
    for (const item of items) {
      const message = item.message_zh ? (zh() ? item.message_zh : item.message_en || item.message_zh)
        : zh() && item.code ? `${item.name}：${label("field", item.code)}` : `${item.name}: ${item.reason}`;
      list.append(el("li", item.target ? `${message} (${item.target})` : message));
    }
    box.append(list);
  }
}

// -- sign in and out ---------------------------------------------------------------------------
function signInOut() {
  const form = document.getElementById("login-form");
  if (form) form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("POST", "/api/v1/auth/login", { username: form.username.value, password: form.password.value });
      window.location.assign(form.dataset.next || "/console");
    } catch (error) { showProblem(form.querySelector(".problem"), error); }
  });
  const out = document.getElementById("sign-out");
  if (out) out.addEventListener("click", async () => {
    try { await api("POST", "/api/v1/auth/logout"); } finally { window.location.assign("/"); }
  });
}

// -- server time ---------------------------------------------------------------------------------
// serverAt(): the server's time now, from the last server timestamp seen plus monotonic time since.
let serverBase = null;
function syncServerTime(iso) { serverBase = { server: Date.parse(iso), perf: performance.now() }; }
function serverAt() { return serverBase ? serverBase.server + (performance.now() - serverBase.perf) : NaN; }

// Follow an SSE stream; on every (re)connection the stream replays from the start, so `seen`
// skips what was already shown, and `onOpen` lets the page refetch the state it may have missed.
function follow(url, handlers, { onOpen, onEnd, terminal = [] } = {}) {
  const status = document.getElementById("connection");
  const seen = new Set();
  const source = new EventSource(url);
  source.onopen = () => { if (status) status.textContent = zh() ? "实时连接已建立" : "Live: connected"; if (onOpen) onOpen(); };
  source.onerror = () => { if (status) status.textContent = zh() ? "连接中断，正在重连…" : "Connection lost, reconnecting…"; };
  for (const [kind, handler] of Object.entries(handlers)) {
    source.addEventListener(kind, (message) => {
      const event = JSON.parse(message.data);
      const key = `${event.kind}:${event.seq}`;
      if (event.seq !== undefined && seen.has(key)) return;
      seen.add(key);
      if (event.at) syncServerTime(event.at);
      handler(event);
      if (terminal.includes(kind)) { source.close(); if (onEnd) onEnd(); }
    });
  }
  return source;
}

// -- the opening room ----------------------------------------------------------------------------
function openingRoom() {
  const root = document.getElementById("opening");
  if (!root) return;
  const tender = root.dataset.tender;
  const base = `/api/v1/tenders/${tender}/opening`;
  // The room waits for its participants from before the opening: a countdown on the server's time,
  // and the page turns live by itself when the opening starts (its "started" event).
  const countdown = document.getElementById("countdown");
  let started = document.getElementById("opening-status").textContent.trim() !== label("code", "published");
  const opensAt = Date.parse(countdown.dataset.opensAt);
  const tickCountdown = () => {
    if (started) { countdown.textContent = zh() ? "开标进行中" : "The opening is under way"; return; }
    const left = Math.floor((opensAt - serverAt()) / 1000);
    if (left <= 0) { countdown.textContent = zh() ? "开标时间已到，等待开标…" : "Opening time reached, waiting…"; return; }
    const days = Math.floor(left / 86400);
    const clock = [Math.floor((left % 86400) / 3600), Math.floor((left % 3600) / 60), left % 60].map((n) => String(n).padStart(2, "0")).join(":");
    countdown.textContent = days ? `${days}${zh() ? " 天 " : " d "}${clock}` : clock;
  };
  tickCountdown();
  setInterval(tickCountdown, 1000);
  const log = document.getElementById("events");
  const words = {
    started: ["开标开始", "Opening started"], share_received: ["收到密钥份额", "Share received"],
    key_rebuilt: ["开标密钥已恢复，开始解密", "Key rebuilt, decrypting"], read_out: ["唱标", "Read out"],
    bid_failed: ["投标文件无法解密或验证", "Bid could not be opened"], record_published: ["开标记录已公布", "Record published"],
    record_response: ["投标人答复", "Bidder responded"], failed: ["开标失败", "Opening failed"],
  };
  async function refresh() {
    let state;
    try { state = await api("GET", base + "/"); } catch (error) { return; }  // not started yet
    started = true;
    tickCountdown();
    document.getElementById("opening-status").textContent = label("code", state.status);
    // Shares are destroyed with the key once the record is out: keep the count the room saw.
    const count = document.getElementById("shares-count");
    count.textContent = Math.max(Number(count.textContent) || 0, state.shares_from.length, state.key_rebuilt_at ? state.threshold || 0 : 0);
    const shareForm = document.getElementById("share-form");
    if (shareForm && state.key_rebuilt_at) shareForm.hidden = true;
    document.getElementById("threshold").textContent = state.threshold ?? "—";
    if (state.shares_from.length) document.getElementById("shares-from").textContent = state.shares_from.join(", ");
    const progress = document.getElementById("decryption");
    progress.max = Math.max(1, state.bidders.length);
    progress.value = state.results.length;
    document.getElementById("decrypted").textContent = state.results.length;
    document.getElementById("bidder-count").textContent = state.bidders.length;
    const rows = document.getElementById("bids");
    const results = Object.fromEntries(state.results.map((r) => [r.uscc, r]));
    rows.replaceChildren(...state.bidders.map((bidder) => {
      const result = results[bidder.uscc];
      const row = el("tr", null, { "data-uscc": bidder.uscc });
      row.append(el("td", bidder.name));
      row.append(el("td", result ? (result.outcome === "opened" ? (zh() ? "已解密" : "opened") : `${result.outcome}: ${result.reason || ""}`) : "—", { class: "outcome" }));
      row.append(el("td", result && result.price ? yuan(result.price) : "—", { class: "num price" }));
      return row;
    }));
    if (state.record) document.getElementById("record-section").hidden = false;
    document.getElementById("responses").textContent = state.responses.length;
    return state;
  }
  const onEvent = (event) => {
    const [zhText, enText] = words[event.kind] || [event.kind, event.kind];
    const detail = event.data.bidder ? ` · ${event.data.bidder}${event.data.price ? " · " + yuan(event.data.price) : ""}` : event.data.custodian ? ` · ${event.data.custodian} (${event.data.received}/${event.data.threshold})` : "";
    log.append(el("li", `${new Date(event.at).toLocaleTimeString(zh() ? "zh-CN" : "en-GB", { timeZone: "Asia/Shanghai" })} ${zh() ? zhText : enText}${detail}`));
    refresh();
  };
  const kinds = ["started", "share_received", "key_rebuilt", "read_out", "bid_failed", "record_published", "record_response", "failed"];
  // The stream ends with the record; the bidders' confirmations come in after it, so the room
  // keeps asking for the state until the window to respond has closed.
  const finished = () => {
    document.getElementById("connection").textContent = zh() ? "开标已结束" : "The opening has ended";
    const poll = setInterval(async () => {
      const state = await refresh();
      if (state && state.confirm_until && Date.parse(state.confirm_until) < serverAt()) clearInterval(poll);
    }, 5000);
  };
  follow(base + "/events", Object.fromEntries(kinds.map((k) => [k, onEvent])), { onOpen: refresh, onEnd: finished, terminal: ["failed", "record_published"] });
  const share = document.getElementById("share-form");
  if (share) share.addEventListener("submit", async (event) => {
    event.preventDefault();
    try { await api("POST", base + "/shares", { share: share.share.value.trim() }); share.reset(); share.querySelector(".problem").replaceChildren(); }
    catch (error) { showProblem(share.querySelector(".problem"), error); }
  });
  const respond = document.getElementById("record-response");
  if (respond) respond.addEventListener("submit", async (event) => {
    event.preventDefault();
    try { await api("POST", base + "/record/responses", { response: event.submitter.value, comment: respond.comment.value || null }); refresh(); }
    catch (error) { showProblem(respond.querySelector(".problem"), error); }
  });
}

// -- filings -------------------------------------------------------------------------------------
function filingForm() {
  const form = document.getElementById("filing-form");
  if (!form) return;
  const draft = () => formBody(form);
  const created = !form.dataset.filing;  // a new filing's page: the first save makes the draft
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (form.dataset.busy) return;  // a second click while the first is on its way makes nothing
    form.dataset.busy = "1";
    const notice = form.querySelector(".deficiency-notice");
    const ok = form.querySelector(".notice-ok");
    notice.replaceChildren();
    ok.textContent = "";
    try {
      let filing = form.dataset.filing;
      const saved = filing ? await api("PUT", `/api/v1/filings/${filing}`, draft()) : await api("POST", "/api/v1/filings", draft());
      filing = saved.id;
      if (!form.dataset.filing) {  // from now on every retry updates this one draft, never makes another
        form.dataset.filing = filing;
        history.replaceState(null, "", `/console/filings/${filing}`);
      }
      if (event.submitter && event.submitter.value === "submit") {
        const submitted = await api("POST", `/api/v1/filings/${filing}/submit`);
        document.getElementById("filing-status").textContent = label("code", submitted.status);
        ok.textContent = zh() ? "已提交，等待审核" : "Submitted, awaiting the officer's decision";
      } else ok.textContent = zh() ? "已保存" : "Saved";
      if (created) window.location.assign(`/console/filings/${filing}`);
    } catch (error) {
      showProblem(notice, error);
      if (error.problem && error.problem.deficiencies) notice.prepend(el("h2", zh() ? "一次性告知书" : "One-time deficiency notice"));
      notice.focus();
    } finally {
      delete form.dataset.busy;
    }
  });
  const uploadForm = document.getElementById("upload-form");
  if (uploadForm) uploadForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = uploadForm.file.files[0];
    if (!file) return;
    try {
      const url = `/api/v1/filings/${uploadForm.dataset.filing}/documents?kind=${encodeURIComponent(uploadForm.kind.value)}&filename=${encodeURIComponent(file.name)}`;
      const stored = await upload(url, file, document.getElementById("upload-progress"));
      document.getElementById("documents").append(el("li", `${label("code", stored.kind)} · ${stored.filename} (${stored.size} B)`));
      uploadForm.querySelector(".problem").replaceChildren();
    } catch (error) { showProblem(uploadForm.querySelector(".problem"), error); }
  });
}

// -- a bidder's tender page: upload the sealed file, the receipt and its verification ----------------
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
  return JSON.stringify(value);
}

async function verifyReceipt(receipt) {
  const { public_key: text } = await api("GET", "/api/v1/platform/receipt-key");
  const raw = Uint8Array.from(atob(text.split(" ")[1]), (c) => c.charCodeAt(0));
  const key = await crypto.subtle.importKey("raw", raw, { name: "Ed25519" }, false, ["verify"]);
  const body = Object.fromEntries(Object.entries(receipt).filter(([name]) => name !== "signature"));
  const signature = Uint8Array.from(atob(receipt.signature), (c) => c.charCodeAt(0));
  return crypto.subtle.verify({ name: "Ed25519" }, key, signature, new TextEncoder().encode(canonical(body)));
}

function tenderPage() {
  const root = document.getElementById("bidding");
  if (!root) return;
  const base = `/api/v1/tenders/${root.dataset.tender}/bids`;
  const check = document.getElementById("receipt-check");
  async function show(latest) {
    const bids = await api("GET", base + "/");
    const rows = document.getElementById("my-bids");
    rows.replaceChildren(...bids.map((bid) => {
      const row = el("tr");
      row.append(el("td", new Date(bid.received_at).toLocaleString(zh() ? "zh-CN" : "en-GB", { timeZone: "Asia/Shanghai" })));
      row.append(el("td", label("code", bid.status)));
      row.append(el("td", bid.sha256.slice(0, 16) + "…", { title: bid.sha256 }));
      const link = el("a", zh() ? "下载回执" : "Download the receipt", {
        href: URL.createObjectURL(new Blob([JSON.stringify(bid.receipt, null, 2)], { type: "application/json" })),
        download: `receipt-${bid.id}.json`,
      });
      const cell = el("td");
      cell.append(link);
      row.append(cell);
      return row;
    }));
    const current = latest || bids.find((bid) => bid.status === "submitted");
    if (current) {
      const good = await verifyReceipt(current.receipt).catch(() => false);
      check.textContent = good ? (zh() ? "回执签名验证通过（平台公钥）" : "Receipt signature verified (platform key)") : (zh() ? "回执签名验证失败" : "Receipt signature does NOT verify");
      check.className = good ? "ok" : "overdue";
    }
  }
  show().catch(() => {});
  const form = document.getElementById("bid-form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = form.file.files[0];
    if (!file) return;
    try {
      const bid = await upload(base + "/", file, document.getElementById("bid-progress"));
      form.querySelector(".problem").replaceChildren();
      await show(bid);
    } catch (error) { showProblem(form.querySelector(".problem"), error); }
  });
  document.getElementById("withdraw").addEventListener("click", async () => {
    const question = zh() ? "确定撤回投标文件吗？截止时间前可重新递交。" : "Withdraw your bid? You may submit again before the deadline.";
    if (!window.confirm(question)) return;
    try { await api("POST", base + "/withdraw"); await show(); check.textContent = zh() ? "已撤回" : "Withdrawn"; }
    catch (error) { showProblem(form.querySelector(".problem"), error); }
  });
}

// -- an auction room before bidding starts: a countdown on the server's time, then the room ------------
function auctionWaiting() {
  const root = document.getElementById("auction-waiting");
  if (!root) return;
  const startsAt = Date.parse(root.dataset.startsAt);
  const left = document.getElementById("starts-in");
  const url = `/api/v1/service-requests/${root.dataset.request}/auction`;
  let asking = false;
  const tick = async () => {
    const seconds = Math.floor((startsAt - serverAt()) / 1000);
    if (seconds > 0) {
      const clock = [Math.floor(seconds / 3600), Math.floor((seconds % 3600) / 60), seconds % 60].map((n) => String(n).padStart(2, "0")).join(":");
      left.textContent = clock;
      return;
    }
    left.textContent = zh() ? "竞价开始" : "Starting";
    if (asking) return;
    asking = true;
    try { await api("GET", url); window.location.reload(); }  // the auction is live: the room it is now
    catch (error) { /* not yet */ } finally { asking = false; }
  };
  tick();
  setInterval(tick, 1000);
}

// -- the auction room ------------------------------------------------------------------------------
function auctionRoom() {
  const root = document.getElementById("auction");
  if (!root) return;
  const base = `/api/v1/service-requests/${root.dataset.request}/auction`;
  syncServerTime(root.dataset.serverTime);
  let endsAt = Date.parse(root.dataset.endsAt);
  let closed = !document.getElementById("result").hidden;
  const left = document.getElementById("time-left");
  function tick() {
    const seconds = Math.max(0, Math.floor((endsAt - serverAt()) / 1000));
    left.textContent = closed ? "0:00" : `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
  }
  setInterval(tick, 250);
  tick();
  function render(view) {
    syncServerTime(view.server_time);
    const announce = document.getElementById("extension");
    const newEnd = Date.parse(view.ends_at);
    if (newEnd > endsAt + 500) {
      announce.hidden = false;
      announce.textContent = `${zh() ? "竞价时间已延长至" : "The auction was extended to"} ${new Date(newEnd).toLocaleTimeString(zh() ? "zh-CN" : "en-GB", { timeZone: "Asia/Shanghai" })}`;
    }
    endsAt = newEnd;
    document.getElementById("best-price").textContent = view.standings.length ? yuan(view.standings[0].price) : "—";
    document.getElementById("highest-acceptable").textContent = yuan(view.highest_acceptable);
    const rank = document.getElementById("my-rank");
    if (rank && view.you) { const mine = view.standings.find((s) => s.bidder === view.you); rank.textContent = mine ? mine.rank : "—"; }
    document.getElementById("standings").replaceChildren(...view.standings.map((s) => {
      const row = el("tr");
      row.append(el("td", s.rank), el("td", s.bidder), el("td", yuan(s.price), { class: "num" }));
      return row;
    }));
    if (view.winner) showResult(view.winner, view.award_price);
    tick();
  }
  function showResult(winner, award) {
    closed = true;
    const result = document.getElementById("result");
    result.hidden = false;
    result.textContent = `${zh() ? "竞价已结束" : "The auction has closed"} · ${zh() ? "成交人" : "Winner"} ${winner || "—"} · ${zh() ? "成交价" : "Award price"} ${yuan(award)}`;
    const form = document.getElementById("auction-bid");
    if (form) form.hidden = true;
  }
  const refresh = () => api("GET", base).then(render).catch(() => {});
  // The price over time, live: every accepted bid (the stream replays them all on connecting) as a
  // point of a line, drawn to scale. Display only: the amounts themselves stay the server's strings.
  const chart = document.getElementById("price-chart");
  const points = [];
  function plot(event) {
    if (!chart || !event.data || !event.data.price) return;
    points.push([Date.parse(event.at), Number(event.data.price)]);
    const [xs, ys] = [points.map((p) => p[0]), points.map((p) => p[1])];
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const x = (v) => 40 + (x1 > x0 ? ((v - x0) / (x1 - x0)) * 540 : 270);
    const y = (v) => 20 + (y1 > y0 ? ((y1 - v) / (y1 - y0)) * 130 : 65);
    const svg = "http://www.w3.org/2000/svg";
    const line = document.createElementNS(svg, "polyline");
    line.setAttribute("points", points.map(([t, p]) => `${x(t).toFixed(1)},${y(p).toFixed(1)}`).join(" "));
    line.setAttribute("class", "chart-line");
    const last = document.createElementNS(svg, "text");
    last.setAttribute("x", "40");
    last.setAttribute("y", "175");
    last.setAttribute("class", "chart-label");
    last.textContent = `${yuan(event.data.price)} · ${points.length} ${zh() ? "次报价" : "bids"}`;
    chart.replaceChildren(chart.querySelector("title"), line, last);
  }
  follow(base + "/events", {
    state: (event) => render(event.data),
    bid: (event) => { plot(event); refresh(); },
    closed: (event) => { refresh(); showResult(event.data.winner, event.data.award); },
  }, { onOpen: refresh, terminal: ["closed"] });
  const form = document.getElementById("auction-bid");
  if (form) form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const price = form.price.value.trim();
    const question = zh() ? `确认报价 ${yuan(price)}？报价提交后不可撤回。` : `Bid ${yuan(price)}? A bid cannot be taken back.`;
    if (!window.confirm(question)) return;
    try {
      const answer = await api("POST", base + "/bids", { price });
      form.querySelector(".problem").replaceChildren();
      form.reset();
      if (answer && answer.server_time) syncServerTime(answer.server_time);
      refresh();
    } catch (error) { showProblem(form.querySelector(".problem"), error); }
  });
}

// -- pages that follow the platform without a reload (the hall, a service request) ----------------
// The server renders the page; every few seconds the page fetches it again and swaps in the
// sections marked data-live (statuses of openings and auctions, draws, abnormal scores, credit hits).
function livePage() {
  // The marker shows when the page was last refreshed (silently); #page-changes speaks the changes.
  const marker = document.getElementById("page-live");
  if (!marker) return;
  async function refresh() {
    let answer;
    try { answer = await fetch(location.pathname + location.search, { credentials: "same-origin" }); } catch (error) { return; }
    if (!answer.ok) return;
    const fresh = new DOMParser().parseFromString(await answer.text(), "text/html");
    const changed = [];
    for (const shown of document.querySelectorAll("[data-live]")) {
      const next = fresh.getElementById(shown.id);
      if (!next) continue;
      if (next.textContent !== shown.textContent) {
        const heading = next.querySelector("h2, h3");
        changed.push(heading ? heading.textContent.trim() : shown.id);
      }
      shown.replaceWith(document.adoptNode(next));
    }
    // Screen readers hear what changed, once; a refresh that changed nothing says nothing.
    const changes = document.getElementById("page-changes");
    if (changes && changed.length) changes.textContent = `${zh() ? "有更新：" : "Updated: "}${changed.join(zh() ? "、" : ", ")}`;
    const served = answer.headers.get("Date");  // the server's time of this answer
    if (served) marker.textContent = `${zh() ? "已更新" : "Updated"} ${new Date(served).toLocaleTimeString(zh() ? "zh-CN" : "en-GB", { timeZone: "Asia/Shanghai" })}`;
  }
  setInterval(refresh, (Number(marker.dataset.refreshSeconds) || 10) * 1000);
}

// -- service requests: post one, register for one ---------------------------------------------------
function formBody(form) {
  const body = {};
  for (const input of form.querySelectorAll("input, select, textarea")) {
    if (input.type === "checkbox") {  // the checked boxes of a name: a list
      if (input.name && input.checked) (body[input.name] || (body[input.name] = [])).push(input.value);
      continue;
    }
    if (!input.name || input.value === "") continue;
    const path = input.name.split(".");  // "excluded.0.reason": a field of a list's row
    if (path.length === 3) {
      const rows = body[path[0]] || (body[path[0]] = []);
      (rows[Number(path[1])] || (rows[Number(path[1])] = {}))[path[2]] = input.value;
      continue;
    }
    if (input.dataset.boolean !== undefined) { body[input.name] = input.value === "true"; continue; }
    if (input.dataset.instant !== undefined) body[input.name] = `${input.value.length === 16 ? input.value + ":00" : input.value}${form.dataset.tzOffset}`;
    else if (input.dataset.integer !== undefined) body[input.name] = Number(input.value);
    else body[input.name] = input.value;
  }
  return body;
}

// Forms that send their fields to one API route (`data-api`) and show the page again on success:
// the answers and decisions of objections and complaints, and raising one.
function apiForms() {
  for (const form of document.querySelectorAll("form.api-form")) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (form.dataset.busy) return;
      form.dataset.busy = "1";
      const problem = form.querySelector(".problem");
      try {
        await api(form.dataset.method || "POST", form.dataset.api, formBody(form));
        window.location.reload();
      } catch (error) { showProblem(problem, error); problem.focus(); }
      finally { delete form.dataset.busy; }
    });
  }
}

function serviceRequestPages() {
  const form = document.getElementById("request-form");
  if (form) form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const problem = form.querySelector(".problem");
    try {
      const posted = await api("POST", "/api/v1/service-requests", formBody(form));
      window.location.assign(`/console/requests/${posted.id}`);
    } catch (error) { showProblem(problem, error); problem.focus(); }
  });
  const join = document.getElementById("register-form");
  if (join) join.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("POST", `/api/v1/service-requests/${join.dataset.request}/registrations`);
      join.querySelector(".notice-ok").textContent = zh() ? "报名成功" : "Registered";
      join.querySelector(".problem").replaceChildren();
    } catch (error) { showProblem(join.querySelector(".problem"), error); }
  });
}

// The footer's clock: Beijing time from the server's, ticking (the browser's own clock is never read
// for the time of day, only to measure how long since the page learned the server's).
function footerClock() {
  const clock = document.getElementById("server-now");
  if (!clock) return;
  if (!serverBase) syncServerTime(clock.getAttribute("datetime"));
  const beijing = new Intl.DateTimeFormat("zh-CN", {
    timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false,
  });
  const show = () => {
    const parts = Object.fromEntries(beijing.formatToParts(new Date(serverAt())).map((p) => [p.type, p.value]));
    clock.textContent = `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
  };
  show();
  setInterval(show, 1000);
}

// The larger-text switch (适老化): remembered in this browser, applied before anything else.
function textSize() {
  const button = document.getElementById("text-size");
  const apply = (large) => {
    document.documentElement.classList.toggle("large-text", large);
    if (button) button.setAttribute("aria-pressed", String(large));
  };
  apply(localStorage.getItem("ggzy-large-text") === "1");
  if (button) button.addEventListener("click", () => {
    const large = !document.documentElement.classList.contains("large-text");
    localStorage.setItem("ggzy-large-text", large ? "1" : "0");
    apply(large);
  });
}

document.addEventListener("DOMContentLoaded", () => {
  textSize();
  footerClock();
  apiForms();
  signInOut();
  livePage();
  serviceRequestPages();
  openingRoom();
  filingForm();
  tenderPage();
  auctionRoom();
  auctionWaiting();
});
