// The chat page for POST /ask. Every piece of user or server text is added as a text
// node (textContent / append(string)), never parsed as HTML.
"use strict";

const MAX_HISTORY = 20;
const TOP_K = 5;

const state = {
  history: [],        // questions of this chat that the server answered (200), oldest first
  busy: false,
  controller: null,   // aborts the pending /ask when a new chat starts
  lang: "",           // the page's language: the last question's, or the browser's before the first
  cityNames: {},      // the article's city name -> its names per language (from /cities)
};

// The page's word for `key` in its current language (LABELS: web/i18n.js).
function t(key, values) {
  const text = (LABELS[state.lang] || LABELS.ja)[key] ?? LABELS.ja[key];
  return values ? fill(text, values) : text;
}

function cityName(name) {
  const names = state.cityNames[name];
  return (names && names[state.lang]) || name;
}

const ui = {};

// ------------------------------------------------------------------ DOM helpers

function el(tag, options = {}, children = []) {
  const node = document.createElement(tag);
  if (options.className) node.className = options.className;
  if (options.text !== undefined) node.textContent = options.text;
  for (const [name, value] of Object.entries(options.attrs || {})) node.setAttribute(name, value);
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

function screenReaderOnly(text) {
  return el("span", { className: "visually-hidden", text });
}

// ------------------------------------------------------------------ formatting

function formatDate(iso) {
  const [year, month, day] = String(iso).split("-");
  const months = (LABELS[state.lang] || LABELS.ja).months;
  if (months) return (month ? `${months[Number(month) - 1]} ` : "") + (day ? `${Number(day)}, ` : "") + year;
  return `${year}年` + (month ? `${Number(month)}月` : "") + (day ? `${Number(day)}日` : "");
}

function factDate(fact) {
  if (!fact.date) return "";
  if (fact.date_end) return `${formatDate(fact.date)}〜${formatDate(fact.date_end)}`;
  const qualifier = state.lang === "ja" && fact.kind === "event" && fact.qualifier && fact.qualifier !== "期間"
    ? fact.qualifier : "";
  return formatDate(fact.date) + qualifier;
}

function formatScore(score) {
  return Number.isFinite(score) ? score.toFixed(2) : "—";
}

// Sorted, in-range, non-overlapping [start, end) ranges (code-point offsets).
function cleanRanges(ranges, length) {
  const valid = (Array.isArray(ranges) ? ranges : [])
    .filter((r) => Array.isArray(r) && Number.isInteger(r[0]) && Number.isInteger(r[1])
      && r[0] >= 0 && r[0] < r[1] && r[1] <= length)
    .map(([start, end]) => [start, end])
    .sort((a, b) => a[0] - b[0]);
  const merged = [];
  for (const [start, end] of valid) {
    const last = merged[merged.length - 1];
    if (last && start < last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

// The passage text with the question's terms wrapped in <mark> elements.
function highlightedText(text, highlights) {
  const chars = Array.from(String(text ?? ""));
  const fragment = document.createDocumentFragment();
  let cursor = 0;
  for (const [start, end] of cleanRanges(highlights, chars.length)) {
    if (start > cursor) fragment.append(chars.slice(cursor, start).join(""));
    fragment.append(el("mark", { text: chars.slice(start, end).join("") }));
    cursor = end;
  }
  if (cursor < chars.length) fragment.append(chars.slice(cursor).join(""));
  return fragment;
}

// ------------------------------------------------------------------ message parts

function answerText(text, className = "answer-text") {
  const lines = String(text ?? "").split("\n").filter((line) => line.trim());
  if (lines.length <= 1) return el("p", { className, text: lines[0] || "" });
  return el("ul", { className: `${className} answer-lines` }, lines.map((line) => el("li", { text: line })));
}

// The answer in the asker's language first, the article's Japanese under it (each line's
// sentence under that line); the Japanese answer alone when there is no localized text.
function answerBody(answer) {
  const loc = answer.localized;
  if (!loc || typeof loc.text !== "string" || !loc.text.trim()) return answerText(answer.text);
  const lines = Array.isArray(loc.lines) ? loc.lines.filter((l) => l && typeof l.text === "string") : [];
  const quote = (text) => el("p", { className: "answer-quote", attrs: { lang: "ja" } },
    [screenReaderOnly(t("quote") + ": "), text]);
  if (lines.length > 1) {
    return el("ul", { className: "answer-localized answer-lines", attrs: { lang: loc.lang } }, lines.map((line) =>
      el("li", {}, [el("span", { className: "localized-line", text: line.text }),
        typeof line.quote === "string" && line.quote ? quote(line.quote) : null])));
  }
  const body = answerText(loc.text, "answer-localized");
  markLanguage(body, loc.lang);
  return el("div", { className: "answer-pair" }, [body, el("div", { className: "answer-quote", attrs: { lang: "ja" } }, [
    screenReaderOnly(t("quote") + ": "), answerText(answer.text)])]);
}

function chip(text, className = "") {
  return el("span", { className: `chip ${className}`.trim(), text });
}

function answerMeta(answer) {
  const cities = Array.isArray(answer.cities) && answer.cities.length ? answer.cities : [answer.city].filter(Boolean);
  const confidence = Number.isFinite(answer.confidence) ? `${t("match")}${Math.round(answer.confidence * 100)}%` : null;
  const types = (LABELS[state.lang] || LABELS.ja).types;
  return el("p", { className: "answer-meta" }, [
    cities.length ? chip(t("city") + cities.map(cityName).join(t("citySep")), "chip-city") : null,
    types[answer.type] ? chip(types[answer.type], "chip-type") : null,
    confidence ? chip(confidence, "chip-confidence") : null,
  ]);
}

// What the service understood, in one small line under the answer ("最も少ない · 企業 · 全都市").
function understoodLine(understood) {
  const summary = understood && typeof understood.summary === "string" ? understood.summary : "";
  if (!summary) return null;
  return el("p", { className: "understood", text: summary, attrs: { title: t("understood") } });
}

function historyNote(understood) {
  const from = (understood && understood.from_history) || {};
  const notes = [];
  if (Array.isArray(from.city) && from.city.length) {
    notes.push(el("p", { className: "history-note history-city",
      text: t("historyCity", { cities: from.city.map(cityName).join(t("citySep")) }) }));
  }
  if (typeof from.topic === "string" && from.topic) {
    notes.push(el("p", { className: "history-note history-topic", text: t("historyTopic", { topic: from.topic }) }));
  }
  return notes.length ? el("div", { className: "history-notes" }, notes) : null;
}

function passageSource(passage) {
  return passage.section || passage.city || passage.doc || "";
}

function citation(passage) {
  if (!passage) return null;
  return el("figure", { className: "citation" }, [
    el("figcaption", { className: "citation-caption" }, [
      el("span", { className: "citation-label", text: t("source") }),
      el("span", { className: "citation-source", text: passageSource(passage) }),
    ]),
    el("blockquote", { className: "passage cited-passage", attrs: { lang: "ja" } }, [highlightedText(passage.text, passage.highlights)]),
  ]);
}

function passageItem(passage) {
  return el("li", { className: "passage-item" }, [
    el("p", { className: "passage-head" }, [
      el("span", { className: "passage-source", text: passageSource(passage) }),
      el("span", { className: "score", text: `${t("score")}${formatScore(passage.score)}` }),
    ]),
    el("p", { className: "passage passage-text", attrs: { lang: "ja" } }, [highlightedText(passage.text, passage.highlights)]),
  ]);
}

function passageList(passages, title) {
  if (!passages.length) return null;
  return el("details", { className: "disclosure other-passages" }, [
    el("summary", { text: title + t("count", { n: passages.length }) }),
    el("ol", { className: "passage-list" }, passages.map(passageItem)),
  ]);
}

function factRow(fact, citedId) {
  const kinds = (LABELS[state.lang] || LABELS.ja).kinds;
  const kind = kinds[fact.kind] ? fact.kind : "other";
  return el("tr", { className: fact.passage_id && fact.passage_id === citedId ? "fact-cited" : "" }, [
    el("td", { className: "fact-date", text: factDate(fact) || "—" }),
    el("td", { className: "fact-city", text: fact.city ? cityName(fact.city) : t("whole") }),
    el("td", { className: "fact-kind" }, [el("span", { className: `kind kind-${kind}`, text: kinds[fact.kind] || String(fact.kind) })]),
    el("td", { className: "fact-text", text: fact.text, attrs: { lang: "ja" } }),
  ]);
}

function factsTable(facts, citedId) {
  if (!Array.isArray(facts) || !facts.length) return null;
  const head = el("tr", {}, t("columns").map((name) => el("th", { text: name, attrs: { scope: "col" } })));
  return el("details", { className: "disclosure facts" }, [
    el("summary", { text: t("facts") + t("count", { n: facts.length }) }),
    el("table", { className: "facts-table" }, [
      el("caption", { className: "visually-hidden", text: t("factsCaption") }),
      el("thead", {}, [head]),
      el("tbody", {}, facts.map((fact) => factRow(fact, citedId))),
    ]),
  ]);
}

// ------------------------------------------------------------------ messages

function message(role, bubble) {
  return el("div", { className: `msg msg-${role}` }, [bubble]);
}

function userMessage(question) {
  return message("user", el("div", { className: "bubble bubble-user" }, [
    screenReaderOnly(t("you")),
    el("p", { className: "msg-text", text: question }),
  ]));
}

function thinkingMessage() {
  return message("bot", el("div", { className: "bubble bubble-thinking" }, [
    el("span", { className: "dots", attrs: { "aria-hidden": "true" } }, [el("span"), el("span"), el("span")]),
    el("span", { text: t("thinking") }),
  ]));
}

function answerMessage(body) {
  const answer = body.answer;
  const passages = Array.isArray(body.passages) ? body.passages : [];
  const cited = passages.find((p) => p.id === answer.passage_id) || passages[0];
  return message("bot", el("div", { className: "bubble bubble-answer" }, [
    screenReaderOnly(t("answer")),
    answerBody(answer),
    answerMeta(answer),
    understoodLine(body.understood),
    historyNote(body.understood),
    citation(cited),
    passageList(passages.filter((p) => p !== cited), t("otherPassages")),
    factsTable(body.facts, answer.passage_id),
  ]));
}

function abstainMessage(body) {
  const abstain = body.abstain || {};
  const passages = Array.isArray(body.passages) ? body.passages : [];
  return message("bot", el("div", { className: "bubble bubble-abstain" }, [
    el("p", { className: "abstain-badge", text: t("notInArticle") }),
    el("p", { className: "abstain-message", text: abstain.message || t("abstainDefault") }),
    understoodLine(body.understood),
    historyNote(body.understood),
    passageList(passages, t("nearPassages")),
    factsTable(body.facts, null),
  ]));
}

function errorMessage(problem, retry) {
  const detail = [problem.status ? `HTTP ${problem.status}` : null, problem.code, problem.requestId ? `request id ${problem.requestId}` : null]
    .filter(Boolean).join(" · ");
  const retryButton = problem.retryable ? el("button", { className: "button button-small", text: t("retry"), attrs: { type: "button" } }) : null;
  if (retryButton) retryButton.addEventListener("click", retry);
  return message("bot", el("div", { className: "bubble bubble-error" }, [
    el("p", { className: "error-title", text: problem.title }),
    el("p", { className: "error-message", text: problem.message }),
    detail ? el("p", { className: "error-detail", text: detail }) : null,
    retryButton,
  ]));
}

// ------------------------------------------------------------------ server

class Problem extends Error {
  constructor(title, message, extra = {}) {
    super(message);
    Object.assign(this, { title, status: null, code: null, requestId: null, retryable: false }, extra);
  }
}

async function readJson(response) {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

function problemFromResponse(response, body) {
  const error = body && typeof body.error === "object" && body.error ? body.error : {};
  const message = typeof error.message === "string" && error.message
    ? error.message : t("noResponse", { status: response.status });
  const title = response.status >= 500 ? t("serverError") : t("refused");
  return new Problem(title, message, {
    status: response.status, code: error.code || null,
    requestId: error.request_id || response.headers.get("X-Request-Id"), retryable: response.status >= 500,
  });
}

async function postQuestion(question, history, signal) {
  let response;
  try {
    response = await fetch("/ask", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ question, history, top_k: TOP_K }),
      signal,
    });
  } catch (error) {
    if (signal.aborted) throw error;
    throw new Problem(t("offlineTitle"), t("offline"), { retryable: true });
  }
  const body = await readJson(response);
  if (!response.ok) throw problemFromResponse(response, body);
  if (!body || !("answer" in body)) {
    throw new Problem(t("unexpectedTitle"), t("unexpected"), { status: response.status, retryable: true });
  }
  return body;
}

// ------------------------------------------------------------------ welcome screen

function renderSuggestions(questions) {
  const items = (Array.isArray(questions) ? questions : [])
    .filter((q) => typeof q === "string" && q.trim())
    .map((q) => {
      const button = el("button", { className: "suggestion", text: q, attrs: { type: "button" } });
      button.addEventListener("click", () => {
        ui.input.focus();
        ask(q);
      });
      return el("li", {}, [button]);
    });
  ui.suggestions.replaceChildren(...items);
  ui.suggestionsTitle.hidden = items.length === 0;
}

function rememberCities(cities) {
  for (const c of Array.isArray(cities) ? cities : []) {
    if (c && typeof c.name === "string" && c.names && typeof c.names === "object") state.cityNames[c.name] = c.names;
  }
}

function renderCoverage(cities) {
  const names = (Array.isArray(cities) ? cities : []).map((c) => c && c.name).filter((n) => typeof n === "string" && n);
  ui.coverage.textContent = names.length ? t("coverage") + names.map(cityName).join(t("citySep")) : "";
  ui.coverage.hidden = names.length === 0;
}

// GET a JSON endpoint for the welcome screen; null when it fails (the chat works without it).
async function getJson(path) {
  try {
    const response = await fetch(path, { headers: { Accept: "application/json" } });
    return response.ok ? await readJson(response) : null;
  } catch {
    return null;
  }
}

async function loadWelcome() {
  const lang = state.lang;
  const [suggested, cities] = await Promise.all([getJson(`/suggestions?lang=${lang}`), getJson("/cities")]);
  if (lang !== state.lang) return;                    // the language changed meanwhile: a newer load runs
  rememberCities(cities && cities.cities);
  renderSuggestions(suggested && suggested.suggestions);
  renderCoverage(cities && cities.cities);
}

// The page's own words in `lang`: static labels now, new messages from now on.
function setLanguage(lang) {
  if (!LANGS.includes(lang) || lang === state.lang) return;
  state.lang = lang;
  document.documentElement.lang = lang;
  document.title = t("title");
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) node.placeholder = t(node.dataset.i18nPlaceholder);
  for (const node of document.querySelectorAll("[data-i18n-label]")) node.setAttribute("aria-label", t(node.dataset.i18nLabel));
  loadWelcome();
}

// ------------------------------------------------------------------ chat

function updateWelcome() {
  ui.welcome.hidden = ui.messages.childElementCount > 0;
}

function addMessage(node) {
  ui.messages.append(node);
  updateWelcome();
  return node;
}

function setBusy(busy) {
  state.busy = busy;
  ui.messages.setAttribute("aria-busy", String(busy));
  ui.send.disabled = busy;
}

function markLanguage(node, lang) {
  if (typeof lang === "string" && /^[a-z]{2,3}(-[A-Za-z0-9]+)*$/.test(lang)) node.setAttribute("lang", lang);
}

async function ask(question) {
  const text = question.trim();
  if (!text || state.busy) return;
  const history = state.history.slice(-MAX_HISTORY);
  const userNode = addMessage(userMessage(text));
  const pending = addMessage(thinkingMessage());
  userNode.scrollIntoView({ block: "start" });
  const controller = new AbortController();
  state.controller = controller;
  setBusy(true);
  try {
    const body = await postQuestion(text, history, controller.signal);
    state.history.push(text);
    const lang = body.understood && body.understood.lang;
    markLanguage(userNode.querySelector(".msg-text"), lang);
    setLanguage(lang);
    pending.replaceWith(body.answer ? answerMessage(body) : abstainMessage(body));
  } catch (error) {
    if (controller.signal.aborted) return;
    const problem = error instanceof Problem ? error : new Problem(t("error"), String(error && error.message || error));
    const errorNode = errorMessage(problem, () => {
      if (state.busy) return;
      userNode.remove();
      errorNode.remove();
      ask(text);
    });
    pending.replaceWith(errorNode);
  } finally {
    if (state.controller === controller) {
      state.controller = null;
      setBusy(false);
    }
  }
  userNode.scrollIntoView({ block: "start" });
}

function newChat() {
  if (state.controller) state.controller.abort();
  state.controller = null;
  setBusy(false);
  state.history = [];
  ui.messages.replaceChildren();
  updateWelcome();
  ui.input.value = "";
  ui.input.focus();
  window.scrollTo(0, 0);
}

// ------------------------------------------------------------------ events

function onSubmit(event) {
  event.preventDefault();
  if (state.busy || !ui.input.value.trim()) return;
  const question = ui.input.value;
  ui.input.value = "";
  ask(question);
}

// Enter sends, Shift+Enter is a newline; never send while an IME is composing.
function onKeydown(event) {
  if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.keyCode === 229) return;
  event.preventDefault();
  ui.form.requestSubmit();
}

function init() {
  Object.assign(ui, {
    form: document.getElementById("ask-form"),
    input: document.getElementById("question"),
    send: document.getElementById("send"),
    messages: document.getElementById("messages"),
    welcome: document.getElementById("welcome"),
    suggestions: document.getElementById("suggestions"),
    suggestionsTitle: document.getElementById("suggestions-title"),
    coverage: document.getElementById("coverage"),
    newChat: document.getElementById("new-chat"),
  });
  ui.form.addEventListener("submit", onSubmit);
  ui.input.addEventListener("keydown", onKeydown);
  ui.newChat.addEventListener("click", newChat);
  setLanguage(browserLanguage());
}

document.addEventListener("DOMContentLoaded", init);
