// The chat page's own words in Japanese, Chinese and English (never the article's: answers
// come from the server). The page follows the language of the last question, and the
// browser's language before the first one.
"use strict";

const LANGS = ["ja", "zh", "en"];

const LABELS = {
  ja: {
    title: "記事 Q&A", subtitle: "記事に書かれていることだけで答えます", skip: "質問の入力欄へ移動",
    newChat: "新しいチャット", welcomeTitle: "記事について質問してください",
    welcomeText: "答えと一緒に、引用元の段落と記事から取り出した事実を示します。日本語・中国語・英語で質問できます。記事に書かれていないことには「記事に記載なし」と答えます。",
    suggestionsTitle: "質問の例", log: "会話", question: "質問", placeholder: "記事について質問する…",
    send: "送信", hint: "Enter で送信、Shift+Enter で改行", coverage: "記事が取り上げている都市: ", citySep: "・",
    you: "あなたの質問: ", answer: "回答: ", thinking: "考え中…", city: "都市: ", match: "一致度 ",
    understood: "質問の読み取り", historyCity: "都市「{cities}」は前の質問から引き継ぎました。",
    historyTopic: "前の質問「{topic}」の続きとして答えています。", source: "引用元", quote: "記事の原文",
    otherPassages: "ほかの段落", nearPassages: "参考: 近い段落", score: "スコア ", count: "（{n}件）",
    facts: "関連する事実", factsCaption: "記事から取り出した事実", whole: "全体",
    columns: ["日付", "都市", "種類", "内容"], notInArticle: "記事に記載なし",
    abstainDefault: "記事にはこの質問の答えが見つかりませんでした。", retry: "もう一度送信",
    serverError: "サーバーでエラーが起きました", refused: "質問を受け付けられませんでした",
    noResponse: "サーバーが応答を返せませんでした（HTTP {status}）。", offlineTitle: "サーバーに接続できません",
    offline: "サーバーに接続できませんでした。接続を確認して、もう一度送信してください。",
    unexpectedTitle: "予期しない応答", unexpected: "サーバーの応答を読み取れませんでした。", error: "エラー",
    types: { when: "いつ", how_many: "数量", which_city: "どの都市", why: "理由", what: "内容", stance: "方針",
             timeline: "年表", compare: "比較", superlative: "最上級", count: "件数", list: "一覧",
             about_article: "記事について" },
    kinds: { event: "出来事", quantity: "数値", stance: "方針" },
  },
  zh: {
    title: "文章问答", subtitle: "只根据文章内容回答", skip: "跳到提问框",
    newChat: "新对话", welcomeTitle: "请就文章提问",
    welcomeText: "回答会附上引用的段落和从文章中提取的事实。可以用日语、中文或英语提问。文章没有写到的内容，会回答“文章中没有记载”。",
    suggestionsTitle: "提问示例", log: "对话", question: "问题", placeholder: "就文章提问…",
    send: "发送", hint: "Enter 发送，Shift+Enter 换行", coverage: "文章涉及的城市：", citySep: "、",
    you: "你的问题：", answer: "回答：", thinking: "思考中…", city: "城市：", match: "匹配度 ",
    understood: "对问题的理解", historyCity: "城市“{cities}”沿用了上一个问题。",
    historyTopic: "作为上一个问题“{topic}”的延续来回答。", source: "出处", quote: "文章原文",
    otherPassages: "其他段落", nearPassages: "参考：相近的段落", score: "得分 ", count: "（{n}条）",
    facts: "相关事实", factsCaption: "从文章中提取的事实", whole: "全文",
    columns: ["日期", "城市", "类型", "内容"], notInArticle: "文章中没有记载",
    abstainDefault: "文章中找不到这个问题的答案。", retry: "重新发送",
    serverError: "服务器出错了", refused: "无法受理这个问题",
    noResponse: "服务器没有返回结果（HTTP {status}）。", offlineTitle: "无法连接服务器",
    offline: "无法连接服务器。请检查网络后重新发送。",
    unexpectedTitle: "意外的响应", unexpected: "无法读取服务器的响应。", error: "错误",
    types: { when: "时间", how_many: "数量", which_city: "哪个城市", why: "原因", what: "内容", stance: "特点",
             timeline: "时间线", compare: "比较", superlative: "最高级", count: "计数", list: "列表",
             about_article: "关于文章" },
    kinds: { event: "事件", quantity: "数值", stance: "特点" },
  },
  en: {
    title: "Article Q&A", subtitle: "Answers only from what the article says", skip: "Skip to the question box",
    newChat: "New chat", welcomeTitle: "Ask about the article",
    welcomeText: "Each answer comes with the passage it quotes and the facts taken from the article. Ask in Japanese, Chinese or English. What the article does not say is answered with \u201cnot in the article\u201d.",
    suggestionsTitle: "Example questions", log: "Conversation", question: "Question", placeholder: "Ask about the article…",
    send: "Send", hint: "Enter sends, Shift+Enter adds a line", coverage: "Cities the article covers: ", citySep: ", ",
    you: "Your question: ", answer: "Answer: ", thinking: "Thinking…", city: "City: ", match: "Match ",
    understood: "How the question was read", historyCity: "The city \u201c{cities}\u201d comes from the earlier question.",
    historyTopic: "Answered as a follow-up to \u201c{topic}\u201d.", source: "Source", quote: "In the article",
    otherPassages: "Other passages", nearPassages: "Nearest passages", score: "score ", count: " ({n})",
    facts: "Facts", factsCaption: "Facts taken from the article", whole: "All",
    columns: ["Date", "City", "Kind", "Text"], notInArticle: "Not in the article",
    abstainDefault: "The article does not answer this question.", retry: "Send again",
    serverError: "The server had an error", refused: "The question was not accepted",
    noResponse: "The server returned no answer (HTTP {status}).", offlineTitle: "Cannot reach the server",
    offline: "The server could not be reached. Check the connection and send again.",
    unexpectedTitle: "Unexpected response", unexpected: "The server's response could not be read.", error: "Error",
    types: { when: "when", how_many: "how many", which_city: "which city", why: "why", what: "what", stance: "stance",
             timeline: "timeline", compare: "compare", superlative: "superlative", count: "count", list: "list",
             about_article: "about the article" },
    kinds: { event: "event", quantity: "number", stance: "stance" },
    months: ["January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December"],
  },
};

// The browser's preferred language among ours, or Japanese.
function browserLanguage() {
  for (const tag of navigator.languages || [navigator.language || ""]) {
    const base = String(tag).toLowerCase().split("-")[0];
    if (LANGS.includes(base)) return base;
  }
  return "ja";
}

function fill(template, values) {
  return String(template).replace(/\{(\w+)\}/g, (_, key) => String(values[key] ?? ""));
}
