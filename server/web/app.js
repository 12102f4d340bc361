// ragcite web page: ask with a streamed answer, click a citation marker to
// see its passage highlighted in the source, summarize, list and upload
// documents. Plain JavaScript, no build step.
"use strict";

const $ = (id) => document.getElementById(id);
const keyStore = "ragcite.apiKey";
const state = { lastReply: null, citations: [], busy: false, current: 0, abort: null };

// ---- API ----------------------------------------------------------------

function headers(extra) {
  const h = Object.assign({}, extra);
  const key = $("api-key").value.trim();
  if (key) h["Authorization"] = "Bearer " + key;
  return h;
}

// docPath encodes a document id for the URL, keeping the '/' it may
// contain. A "." or ".." segment is refused: the browser would resolve it,
// even percent-encoded, and address another document ("x/../victim" would
// fetch "victim"). Empty segments stay: an id starting with '/' becomes
// "/v1/documents//id", which the server reads back as "/id".
function docPath(id) {
  const segs = String(id).split("/");
  if (String(id) === "") {
    throw new Error("document id is empty");
  }
  for (const seg of segs) {
    if (/^(\.|%2e){1,2}$/i.test(seg)) {
      throw new Error("document id " + JSON.stringify(id) + " has a '.' or '..' path segment");
    }
  }
  return "/v1/documents/" + segs.map(encodeURIComponent).join("/");
}

async function errorOf(res) {
  try {
    const body = await res.json();
    if (body && body.error) return new Error(body.error.message + " (" + res.status + " " + body.error.code + ")");
  } catch (_) { /* not JSON */ }
  return new Error("HTTP " + res.status);
}

async function api(method, path, body) {
  const init = { method, headers: headers() };
  if (body instanceof FormData) {
    init.body = body;
  } else if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  if (!res.ok) throw await errorOf(res);
  return res.status === 204 ? null : res.json();
}

// parseEvents splits complete Server-Sent Events off buf; it returns the
// events and the unparsed rest.
function parseEvents(buf) {
  const events = [];
  let m;
  const sep = /\r?\n\r?\n/;
  while ((m = sep.exec(buf)) !== null) {
    const block = buf.slice(0, m.index);
    buf = buf.slice(m.index + m[0].length);
    let name = "message";
    const data = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith("event:")) name = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
    }
    if (data.length) events.push({ name, data: JSON.parse(data.join("\n")) });
  }
  return { events, rest: buf };
}

// streamPost POSTs body with "stream": true, calls onDelta with each piece
// of text and resolves with the "done" object.
async function streamPost(path, body, onDelta, signal) {
  const res = await fetch(path, {
    method: "POST",
    signal,
    headers: headers({ "Content-Type": "application/json", "Accept": "text/event-stream" }),
    body: JSON.stringify(Object.assign({}, body, { stream: true })),
  });
  if (!res.ok) throw await errorOf(res);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buf = "";
  let done = null;
  for (;;) {
    const { value, done: eof } = await reader.read();
    if (value) buf += decoder.decode(value, { stream: true });
    const parsed = parseEvents(buf);
    buf = parsed.rest;
    for (const ev of parsed.events) {
      if (ev.name === "delta") onDelta(ev.data.text);
      else if (ev.name === "done") done = ev.data;
      else if (ev.name === "error") throw new Error(ev.data.error.message + " (" + ev.data.error.code + ")");
    }
    if (eof) break;
  }
  if (!done) throw new Error("the stream ended without a reply");
  return done;
}

// ---- rendering ----------------------------------------------------------

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k.startsWith("data-")) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) e.append(c);
  return e;
}

// withMarkers renders text with every [n] that names a citation as a link.
function withMarkers(text, citations) {
  const frag = document.createDocumentFragment();
  const known = new Set(citations.map((c) => c.n));
  const re = /\[(\d+)\]/g;
  let last = 0, m;
  while ((m = re.exec(text)) !== null) {
    const n = Number(m[1]);
    if (!known.has(n)) continue;
    frag.append(text.slice(last, m.index));
    const a = el("a", { href: "#cite-" + n, class: "cite", "data-n": String(n), title: "Show the passage" }, "[" + n + "]");
    a.addEventListener("click", (e) => { e.preventDefault(); showCitation(n); });
    frag.append(a);
    last = m.index + m[0].length;
  }
  frag.append(text.slice(last));
  return frag;
}

// markSupport renders text like withMarkers, with each sentence the
// sources support only in part (or not at all, under policy flag) wrapped
// in a span marked with its support and score.
function markSupport(text, sentences, citations) {
  const frag = document.createDocumentFragment();
  let pos = 0;
  for (const s of sentences) {
    if (s.support === "supported") continue;
    const i = text.indexOf(s.text, pos);
    if (i < 0) continue;
    frag.append(withMarkers(text.slice(pos, i), citations));
    const label = s.support === "partial" ? "partly supported by the sources" : "not supported by the sources";
    frag.append(el("span", { class: "support-" + s.support, title: label + " (score " + s.score.toFixed(2) + ")" }, s.text));
    pos = i + s.text.length;
  }
  frag.append(withMarkers(text.slice(pos), citations));
  return frag;
}

function setStatus(msg) { $("status").textContent = msg; }

// progress shows (label) or hides (null) the running request's progress
// bar, elapsed seconds and cancel button.
let progressTimer = null;
function progress(label) {
  clearInterval(progressTimer);
  $("progress").hidden = !label;
  if (!label) return;
  const t0 = Date.now();
  const tick = () => { $("progress-text").textContent = label + "… " + Math.floor((Date.now() - t0) / 1000) + " s"; };
  tick();
  progressTimer = setInterval(tick, 500);
}

function showError(err) {
  $("error").textContent = err ? String(err.message || err) : "";
  $("error").hidden = !err;
}

function startReply() {
  showError(null);
  state.lastReply = null;
  state.citations = [];
  $("reply").hidden = false;
  $("notice").hidden = true;
  $("conflicts").hidden = true;
  $("conflicts").replaceChildren();
  $("citations").replaceChildren();
  $("sources-head").hidden = true;
  $("answer").textContent = "";
  $("answer").className = "";
  $("answer").dataset.state = "streaming";
  $("viewer").hidden = true;
}

// conflictStated reports whether text already states every conflicting
// claim, as answers do ("Sources disagree on ...: $10 billion [1]; ...").
function conflictStated(text, conflicts) {
  return conflicts.every((cf) => cf.claims.every((cl) => text.includes(cl.value)));
}

// renderReply shows a finished answer or summary: markers as links, the
// sources, and abstention, conflicts, degradation and unsupported
// sentences stated plainly.
function renderReply(reply, text) {
  state.lastReply = reply;
  state.citations = reply.citations || [];
  $("answer").replaceChildren(markSupport(text, reply.sentences || [], state.citations));
  // An abstention says so in its own text: it is styled, not repeated.
  $("answer").classList.toggle("abstained", !!reply.abstained);
  const notes = [];
  if (reply.degraded) notes.push("Answered extractively: " + (reply.reason || "the LLM was unavailable") + ".");
  if (reply.unsupported && reply.unsupported.length) {
    notes.push("Removed as not supported by the sources: " + reply.unsupported.map((s) => "“" + s + "”").join(" "));
  }
  $("notice").textContent = notes.join(" ");
  $("notice").hidden = notes.length === 0;
  // A conflict is stated once: in the text when the text states it, else
  // in a box listing each claim with its citations.
  const conflicts = reply.conflicts || [];
  $("answer").classList.toggle("conflict", conflicts.length > 0);
  if (conflicts.length && !conflictStated(text, conflicts)) {
    const box = $("conflicts");
    box.append(el("strong", {}, "The sources disagree"));
    for (const cf of conflicts) {
      const ul = el("ul");
      for (const cl of cf.claims) {
        const li = el("li", {}, cl.value + " ");
        li.append(withMarkers(cl.citations.map((n) => "[" + n + "]").join(""), state.citations));
        ul.append(li);
      }
      box.append(el("p", {}, "About " + cf.about + ":"), ul);
    }
    box.hidden = false;
  }
  for (const c of state.citations) {
    const li = el("li", { id: "cite-" + c.n });
    li.append(withMarkers("[" + c.n + "]", state.citations), " ", el("span", { class: "src-title" }, c.title + (c.section ? " › " + c.section : "") + (c.page ? ", p. " + c.page : "")), " — “" + c.quote + "”");
    $("citations").append(li);
  }
  $("sources-head").hidden = state.citations.length === 0;
  $("answer").dataset.state = "done";
}

// byteSlice cuts text at UTF-8 byte offsets [start,end): the API's offsets
// count bytes, JavaScript strings count UTF-16 units.
function byteSlice(text, start, end) {
  const bytes = new TextEncoder().encode(text);
  const dec = new TextDecoder();
  return [dec.decode(bytes.subarray(0, start)), dec.decode(bytes.subarray(start, end)), dec.decode(bytes.subarray(end))];
}

// narrow reports whether the page is laid out in one column (phones).
function narrow() { return window.matchMedia("(max-width: 800px)").matches; }

// showPassage opens document id with the bytes [start,end) highlighted and
// scrolled into view inside the viewer. On a phone the viewer, placed just
// after the answer, is scrolled into view too.
async function showPassage(id, start, end) {
  const doc = await api("GET", docPath(id));
  const [before, mid, after] = byteSlice(doc.text, start, end);
  const mark = el("mark", {}, mid);
  $("doc-title").textContent = doc.title;
  $("doc-meta").textContent = doc.id + (doc.source ? " · " + doc.source : "") + " · bytes " + start + "–" + end;
  $("doc-text").replaceChildren(before, mark, after);
  // Beside the answer on a wide screen; right under it on a phone.
  if (narrow()) $("answer").after($("viewer"));
  else $("side").prepend($("viewer"));
  $("viewer").hidden = false;
  const box = $("doc-text");
  box.scrollTop = Math.max(0, mark.offsetTop - box.offsetTop - box.clientHeight / 3);
  if (narrow()) $("viewer").scrollIntoView({ block: "start" });
  return mid;
}

// showCitation opens citation n beside the answer, with previous/next.
async function showCitation(n) {
  const i = state.citations.findIndex((x) => x.n === n);
  if (i < 0) return;
  const c = state.citations[i];
  state.current = n;
  for (const a of document.querySelectorAll("a.cite")) a.classList.toggle("active", a.dataset.n === String(n));
  $("viewer-nav").hidden = state.citations.length < 2;
  $("cite-pos").textContent = "Citation [" + n + "], " + (i + 1) + " of " + state.citations.length;
  $("prev-cite").disabled = i === 0;
  $("next-cite").disabled = i === state.citations.length - 1;
  try {
    await showPassage(c.doc_id, c.start, c.end);
  } catch (err) {
    showError(err);
  }
}

// stepCitation moves to the previous (-1) or next (+1) citation.
function stepCitation(delta) {
  const i = state.citations.findIndex((x) => x.n === state.current);
  const next = state.citations[i + delta];
  if (next) showCitation(next.n);
}

// ---- actions ------------------------------------------------------------

// run streams one request, with progress and a cancel button.
async function run(label, path, body, textField) {
  if (state.busy) return;
  state.busy = true;
  startReply();
  setStatus("");
  progress(label);
  state.abort = new AbortController();
  $("ask").disabled = $("summarize").disabled = true;
  let streamed = "";
  try {
    const reply = await streamPost(path, body, (t) => {
      streamed += t;
      $("answer").textContent = streamed;
    }, state.abort.signal);
    renderReply(reply, reply[textField]);
  } catch (err) {
    if (err.name === "AbortError") {
      $("answer").dataset.state = "canceled";
      $("answer").textContent = streamed;
      setStatus("Canceled.");
    } else {
      $("answer").dataset.state = "error";
      showError(err);
    }
  } finally {
    progress(null);
    state.busy = false;
    state.abort = null;
    $("ask").disabled = $("summarize").disabled = false;
  }
}

function ask(e) {
  e.preventDefault();
  const question = $("question").value.trim();
  if (!question) { showError(new Error("Type a question first.")); return; }
  run("Answering", "/v1/ask", { question }, "answer");
}

function summarize() {
  const ids = [...document.querySelectorAll("#doc-list input:checked")].map((i) => i.value);
  const question = $("question").value.trim();
  if (ids.length) run("Summarizing", "/v1/summarize", { doc_ids: ids }, "summary");
  else if (question) run("Summarizing", "/v1/summarize", { query: question }, "summary");
  else showError(new Error("Check some documents or type a question to summarize."));
}

async function loadDocs() {
  try {
    const { documents } = await api("GET", "/v1/documents");
    const list = $("doc-list");
    list.replaceChildren();
    for (const d of documents) {
      const box = el("input", { type: "checkbox", value: d.id, title: "Include in the summary" });
      const title = el("a", { href: "#", class: "title", title: d.id }, d.title || d.id);
      title.addEventListener("click", (e) => {
        e.preventDefault();
        $("viewer-nav").hidden = true;
        showPassage(d.id, 0, 0).catch(showError);
      });
      const del = el("button", { type: "button", title: "Delete " + d.id }, "delete");
      del.addEventListener("click", async () => {
        if (!confirm("Delete " + d.id + "?")) return;
        try { await api("DELETE", docPath(d.id)); loadDocs(); } catch (err) { showError(err); }
      });
      list.append(el("li", {}, box, title, el("span", { class: "small" }, d.chunks + " chunks"), del));
    }
    if (!documents.length) list.append(el("li", { class: "small" }, "No documents yet: upload some."));
  } catch (err) {
    showError(err);
  }
}

async function upload(e) {
  e.preventDefault();
  sendFiles($("files").files);
}

// dropFiles lets files dragged onto the documents section be uploaded.
function dropFiles(zone) {
  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("dropping"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("dropping"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("dropping");
    sendFiles(e.dataTransfer.files);
  });
}

// sendFiles uploads files (.txt, .md, .html, .jsonl, .pdf, .docx) in one
// multipart request.
async function sendFiles(files) {
  if (!files.length) { $("upload-status").textContent = "Choose files first."; return; }
  const form = new FormData();
  for (const f of files) form.append("file", f, f.name);
  $("upload-status").textContent = "Uploading…";
  try {
    const { documents } = await api("POST", "/v1/documents", form);
    $("upload-status").textContent = documents.map((d) => d.id + ": " + d.status).join(", ");
    $("files").value = "";
    loadDocs();
  } catch (err) {
    $("upload-status").textContent = "";
    showError(err);
  }
}

function init() {
  const key = $("api-key");
  key.value = localStorage.getItem(keyStore) || "";
  key.addEventListener("change", () => {
    localStorage.setItem(keyStore, key.value.trim());
    loadDocs();
  });
  $("ask-form").addEventListener("submit", ask);
  $("summarize").addEventListener("click", summarize);
  $("upload-form").addEventListener("submit", upload);
  dropFiles(document.querySelector(".docs"));
  $("close-doc").addEventListener("click", () => { $("viewer").hidden = true; });
  $("prev-cite").addEventListener("click", () => stepCitation(-1));
  $("next-cite").addEventListener("click", () => stepCitation(1));
  $("cancel").addEventListener("click", () => { if (state.abort) state.abort.abort(); });
  loadDocs();
}

window.ragcite = { state, showPassage, showCitation, byteSlice, parseEvents, docPath };
document.addEventListener("DOMContentLoaded", init);
