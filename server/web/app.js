// ragcite web page: ask with a streamed answer, click a citation marker to
// see its passage highlighted in the source, summarize, list and upload
// documents. Plain JavaScript, no build step.
"use strict";

const $ = (id) => document.getElementById(id);
const keyStore = "ragcite.apiKey";
const state = { lastReply: null, citations: [], busy: false };

// ---- API ----------------------------------------------------------------

function headers(extra) {
  const h = Object.assign({}, extra);
  const key = $("api-key").value.trim();
  if (key) h["Authorization"] = "Bearer " + key;
  return h;
}

// docPath encodes a document id for the URL, keeping the '/' it may contain.
function docPath(id) {
  return "/v1/documents/" + id.split("/").map(encodeURIComponent).join("/");
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
async function streamPost(path, body, onDelta) {
  const res = await fetch(path, {
    method: "POST",
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
  $("answer").textContent = "";
  $("answer").dataset.state = "streaming";
}

// renderReply shows a finished answer or summary: markers as links, the
// sources, and abstention, conflicts, degradation and unsupported
// sentences stated plainly.
function renderReply(reply, text) {
  state.lastReply = reply;
  state.citations = reply.citations || [];
  $("answer").replaceChildren(markSupport(text, reply.sentences || [], state.citations));
  const notes = [];
  if (reply.abstained) notes.push("No answer: the documents do not cover this question.");
  if (reply.degraded) notes.push("Answered extractively: " + (reply.reason || "the LLM was unavailable") + ".");
  if (reply.unsupported && reply.unsupported.length) {
    notes.push("Removed as not supported by the sources: " + reply.unsupported.map((s) => "“" + s + "”").join(" "));
  }
  $("notice").textContent = notes.join(" ");
  $("notice").className = "notice" + (reply.abstained ? " abstained" : "");
  $("notice").hidden = notes.length === 0;
  const conflicts = reply.conflicts || [];
  if (conflicts.length) {
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
    const li = el("li", { value: c.n, id: "cite-" + c.n });
    li.append(withMarkers("[" + c.n + "]", state.citations), " " + c.title + " — “" + c.quote + "”");
    $("citations").append(li);
  }
  $("answer").dataset.state = "done";
}

// byteSlice cuts text at UTF-8 byte offsets [start,end): the API's offsets
// count bytes, JavaScript strings count UTF-16 units.
function byteSlice(text, start, end) {
  const bytes = new TextEncoder().encode(text);
  const dec = new TextDecoder();
  return [dec.decode(bytes.subarray(0, start)), dec.decode(bytes.subarray(start, end)), dec.decode(bytes.subarray(end))];
}

// showPassage opens document id with the bytes [start,end) highlighted.
async function showPassage(id, start, end) {
  const doc = await api("GET", docPath(id));
  const [before, mid, after] = byteSlice(doc.text, start, end);
  const mark = el("mark", {}, mid);
  $("doc-title").textContent = doc.title;
  $("doc-meta").textContent = doc.id + (doc.source ? " · " + doc.source : "") + " · bytes " + start + "–" + end;
  $("doc-text").replaceChildren(before, mark, after);
  $("viewer").hidden = false;
  mark.scrollIntoView({ block: "center" });
  return mid;
}

async function showCitation(n) {
  const c = state.citations.find((x) => x.n === n);
  if (!c) return;
  try {
    await showPassage(c.doc_id, c.start, c.end);
  } catch (err) {
    showError(err);
  }
}

// ---- actions ------------------------------------------------------------

async function run(label, path, body, textField) {
  if (state.busy) return;
  state.busy = true;
  startReply();
  setStatus(label + "…");
  let streamed = "";
  try {
    const reply = await streamPost(path, body, (t) => {
      streamed += t;
      $("answer").textContent = streamed;
    });
    renderReply(reply, reply[textField]);
    setStatus("");
  } catch (err) {
    $("answer").dataset.state = "error";
    showError(err);
    setStatus("");
  } finally {
    state.busy = false;
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
      title.addEventListener("click", (e) => { e.preventDefault(); showPassage(d.id, 0, 0).catch(showError); });
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
  const files = $("files").files;
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
  $("close-doc").addEventListener("click", () => { $("viewer").hidden = true; });
  loadDocs();
}

window.ragcite = { state, showPassage, byteSlice, parseEvents };
document.addEventListener("DOMContentLoaded", init);
