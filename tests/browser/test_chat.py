"""The chat page in a real browser (Debian's Chromium) against the real app on a live server."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, Route, expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
XSS = "<img src=x onerror=alert(1)>"


def test_page_has_csp_and_loads_cleanly(page: Page, chat, screenshot):
    assert chat.response.status == 200
    csp = chat.response.headers["content-security-policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
                      "object-src 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert page.locator("html").get_attribute("lang") == "ja"
    expect(page).to_have_title("記事 Q&A")
    expect(page.locator("#welcome")).to_be_visible()
    expect(chat.suggestions.first).to_be_visible()
    expect(page.locator("#coverage")).to_contain_text("杭州")           # the cities come from /cities
    expect(chat.log).to_have_attribute("aria-live", "polite")
    expect(chat.new_chat).to_be_visible()
    expect(chat.send).to_be_enabled()
    screenshot("empty-chat")
    assert chat.unexpected_console_errors() == []


def test_japanese_question_cites_highlighted_passage(chat, screenshot):
    reply = chat.ask("杭州で開催されたサミットはいつですか?")
    expect(reply).to_have_class("bubble bubble-answer")
    expect(reply.locator(".answer-text")).to_contain_text("2017年4月")
    expect(reply.locator(".chip-city")).to_have_text("都市: 杭州")
    cited = reply.locator(".cited-passage")
    expect(cited).to_contain_text("国内初の政府主催のブロックチェーンサミット")
    expect(cited.locator("mark").filter(has_text="サミット")).to_have_count(1)
    expect(cited.locator("mark").first).to_have_text("サミット")

    others = reply.locator("details.other-passages")
    expect(others).not_to_have_attribute("open", "")
    expect(others.locator("summary")).to_contain_text("ほかの段落")
    expect(others.locator(".passage-item").first).to_be_hidden()
    others.locator("summary").click()
    expect(others.locator(".passage-item").first).to_be_visible()
    expect(others.locator(".score").first).to_contain_text("スコア")

    facts = reply.locator("details.facts")
    facts.locator("summary").click()
    cited_fact = facts.locator("tr.fact-cited")
    expect(cited_fact.locator(".fact-date")).to_have_text("2017年4月")
    expect(cited_fact.locator(".fact-city")).to_have_text("杭州")
    expect(cited_fact.locator(".fact-text")).to_contain_text("サミット")
    screenshot("japanese-answer")


def test_chinese_question(chat):
    question = "杭州什么时候举办了区块链峰会?"
    reply = chat.ask(question)
    expect(reply.locator(".answer-text")).to_contain_text("2017年4月")
    expect(reply.locator(".cited-passage mark").filter(has_text="サミット")).to_have_count(1)
    expect(chat.page.locator(".msg-user .msg-text").last).to_have_attribute("lang", "zh")


def test_follow_up_sends_history_and_answers_for_the_new_city(chat, page: Page, screenshot):
    first = "杭州にはブロックチェーン企業が何社ありますか?"
    expect(chat.ask(first).locator(".answer-text")).to_contain_text("55社")
    with page.expect_request("**/ask") as request:
        reply = chat.ask("広州は?")
    assert request.value.post_data_json == {"question": "広州は?", "history": [first], "top_k": 5}
    expect(reply.locator(".answer-text")).to_contain_text("6000")
    expect(reply.locator(".chip-city")).to_have_text("都市: 広州")
    expect(reply.locator(".history-topic")).to_contain_text(first)
    expect(page.locator(".msg")).to_have_count(4)            # the whole conversation stays
    screenshot("follow-up")


def test_follow_up_takes_the_city_from_history(chat):
    chat.ask("杭州の政策の特徴は何ですか?")
    reply = chat.ask("サミットはいつですか?")
    expect(reply.locator(".answer-text")).to_contain_text("2017年4月")
    expect(reply.locator(".history-city")).to_contain_text("杭州")


def test_each_answer_shows_what_was_understood(chat):
    reply = chat.ask("ブロックチェーン企業が最も少ないのは?")
    expect(reply.locator(".answer-text")).to_contain_text("杭州")
    expect(reply.locator(".understood")).to_have_text("最も少ない · 企業 · 全都市")
    reply = chat.ask("広州は?")
    expect(reply.locator(".understood")).to_contain_text("広州")
    expect(reply.locator(".understood")).to_contain_text("前の質問から")
    reply = chat.ask("東京のブロックチェーン政策は?")
    expect(reply.locator(".understood")).to_be_visible()


def test_question_the_article_cannot_answer(chat):
    reply = chat.ask("東京のブロックチェーン政策は?")
    expect(reply).to_have_class("bubble bubble-abstain")
    expect(reply.locator(".abstain-badge")).to_have_text("記事に記載なし")
    expect(reply.locator(".abstain-message")).to_contain_text("東京")
    expect(chat.page.locator(".bubble-answer")).to_have_count(0)


def test_markup_in_a_question_is_shown_as_typed_and_never_run(chat, page: Page):
    reply = chat.ask(XSS)
    expect(page.locator(".msg-user .msg-text")).to_have_text(XSS)
    expect(reply).to_be_visible()
    expect(page.locator("#messages img")).to_have_count(0)
    assert page.locator("#messages").inner_html().count("<img") == 0
    assert chat.dialogs == []


def test_server_error_shows_the_message_and_retry_works(chat, page: Page, screenshot):
    chat.allow_console_error(r"status of 500\b")
    body = {"error": {"code": "internal_error", "message": "サーバー内部のエラーです(テスト)", "request_id": "req-test-500"}}
    page.route("**/ask", lambda route: route.fulfill(status=500, content_type="application/json",
                                                     body=json.dumps(body, ensure_ascii=False)))
    reply = chat.ask("杭州で開催されたサミットはいつですか?")
    expect(reply).to_have_class("bubble bubble-error")
    expect(reply.locator(".error-message")).to_have_text("サーバー内部のエラーです(テスト)")
    expect(reply.locator(".error-detail")).to_contain_text("HTTP 500")
    expect(reply.locator(".error-detail")).to_contain_text("req-test-500")
    screenshot("server-error")

    page.unroute("**/ask")
    reply.get_by_role("button", name="もう一度送信").click()
    expect(page.locator(".bubble-error")).to_have_count(0)
    expect(page.locator(".bubble-answer .answer-text")).to_contain_text("2017年4月")
    expect(page.locator(".msg-user")).to_have_count(1)


def test_too_long_question_shows_the_400_message(chat, page: Page):
    chat.allow_console_error(r"status of 400\b")
    reply = chat.ask("あ" * 501)
    expect(reply).to_have_class("bubble bubble-error")
    expect(reply.locator(".error-message")).to_have_text("'question' is 501 characters; the limit is 500")
    expect(reply.locator(".error-detail")).to_contain_text("question_too_long")
    # a refused question is not history for the next one
    with page.expect_request("**/ask") as request:
        chat.ask("杭州で開催されたサミットはいつですか?")
    assert request.value.post_data_json["history"] == []


def test_unreachable_server_shows_an_error(chat, page: Page):
    page.route("**/ask", lambda route: route.abort("connectionrefused"))
    chat.allow_console_error("net::ERR_CONNECTION_REFUSED")
    reply = chat.ask("杭州で開催されたサミットはいつですか?")
    expect(reply).to_have_class("bubble bubble-error")
    expect(reply.locator(".error-title")).to_have_text("サーバーに接続できません")


def test_loading_indicator_while_waiting(chat, page: Page, screenshot):
    held: list[Route] = []
    page.route("**/ask", lambda route: held.append(route))
    chat.input.fill("杭州で開催されたサミットはいつですか?")
    chat.input.press("Enter")
    thinking = page.locator(".bubble-thinking")
    expect(thinking).to_have_text("考え中…")
    expect(chat.log).to_have_attribute("aria-busy", "true")
    expect(chat.send).to_be_disabled()
    expect(chat.input).to_have_value("")
    screenshot("thinking")
    assert len(held) == 1
    held[0].continue_()
    expect(thinking).to_have_count(0)
    expect(chat.log).to_have_attribute("aria-busy", "false")
    expect(page.locator(".bubble-answer .answer-text")).to_contain_text("2017年4月")


def test_new_chat_while_waiting_drops_the_pending_answer(chat, page: Page):
    held: list[Route] = []
    page.route("**/ask", lambda route: held.append(route))
    chat.input.fill("杭州で開催されたサミットはいつですか?")
    chat.input.press("Enter")
    expect(page.locator(".bubble-thinking")).to_be_visible()
    chat.new_chat.click()
    expect(page.locator(".msg")).to_have_count(0)
    expect(chat.log).to_have_attribute("aria-busy", "false")
    expect(chat.send).to_be_enabled()
    page.unroute("**/ask")
    reply = chat.ask("広州は?")                              # a fresh chat: no history, no stale answer
    expect(reply.locator(".chip-city")).to_have_text("都市: 広州")
    expect(page.locator(".msg")).to_have_count(2)


def test_clicking_a_suggestion_asks_it(chat, page: Page):
    first = chat.suggestions.first
    expect(first).to_be_visible()
    question = first.inner_text()
    first.click()
    expect(page.locator(".msg-user .msg-text")).to_have_text(question)
    expect(chat.replies).to_have_count(1)
    expect(chat.last_reply).to_have_class("bubble bubble-answer")
    expect(page.locator("#welcome")).to_be_hidden()


def test_phone_width_has_no_horizontal_scroll(chat, page: Page, screenshot):
    page.set_viewport_size({"width": 375, "height": 740})
    expect(chat.suggestions.first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    expect(chat.input).to_be_in_viewport()
    screenshot("phone-empty")

    chat.ask(XSS + "x" * 80)                                  # a long unbroken word wraps
    reply = chat.ask("北京と上海の政策の違いは?")
    expect(reply.locator(".answer-lines li")).to_have_count(2)
    screenshot("phone-answer")
    for summary in reply.locator("summary").all():
        summary.click()
    expect(reply.locator("details.facts table")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    expect(chat.input).to_be_in_viewport()
    expect(chat.send).to_be_in_viewport()
    reply.locator("details.facts").scroll_into_view_if_needed()
    screenshot("phone-facts")


def test_keyboard_only(chat, page: Page):
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="質問の入力欄へ移動")).to_be_focused()
    for _ in range(15):                     # the tab order reaches the question box
        page.keyboard.press("Tab")
        if chat.input.evaluate("el => el === document.activeElement"):
            break
    expect(chat.input).to_be_focused()
    ring = page.locator("#ask-form").evaluate("el => getComputedStyle(el).outlineStyle")
    assert ring == "solid", "the question box shows no focus ring"
    page.keyboard.press("Shift+Tab")                          # so does a button
    button_ring = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert button_ring == "solid"
    page.keyboard.press("Tab")

    page.keyboard.type("杭州には")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("ブロックチェーン企業が何社ありますか?")
    expect(chat.input).to_have_value("杭州には\nブロックチェーン企業が何社ありますか?")
    expect(page.locator(".msg")).to_have_count(0)
    chat.input.dispatch_event("keydown", {"key": "Enter", "isComposing": True})   # an IME confirming a word
    expect(chat.input).to_have_value("杭州には\nブロックチェーン企業が何社ありますか?")
    expect(page.locator(".msg")).to_have_count(0)
    page.keyboard.press("Enter")
    expect(page.locator(".msg-user .msg-text")).to_have_text("杭州には\nブロックチェーン企業が何社ありますか?")
    expect(page.locator(".bubble-answer .answer-text")).to_contain_text("55社")
    expect(chat.input).to_be_focused()
    expect(chat.input).to_have_value("")

    page.keyboard.press("Tab")
    expect(chat.send).to_be_focused()
    for _ in range(20):                     # back up to the new chat button
        page.keyboard.press("Shift+Tab")
        if chat.new_chat.evaluate("el => el === document.activeElement"):
            break
    expect(chat.new_chat).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".msg")).to_have_count(0)
    expect(chat.input).to_be_focused()


def test_skip_link_moves_focus_to_the_question_box(chat, page: Page):
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(chat.input).to_be_focused()


def test_new_chat_clears_the_conversation_and_history(chat, page: Page):
    chat.ask("杭州にはブロックチェーン企業が何社ありますか?")
    expect(page.locator("#welcome")).to_be_hidden()
    chat.new_chat.click()
    expect(page.locator(".msg")).to_have_count(0)
    expect(page.locator("#welcome")).to_be_visible()
    expect(chat.suggestions.first).to_be_visible()
    with page.expect_request("**/ask") as request:
        reply = chat.ask("広州は?")
    assert request.value.post_data_json["history"] == []
    expect(reply.locator(".chip-city")).to_have_text("都市: 広州")


def test_chat_screenshot_for_the_readme(chat, page: Page, screenshot):
    """A real three-question chat at desktop width; QA_WRITE_SCREENSHOT=1 also writes docs/chat.png."""
    page.set_viewport_size({"width": 1100, "height": 800})
    chat.ask("杭州にはブロックチェーン企業が何社ありますか?")
    chat.ask("広州は?")
    reply = chat.ask("杭州什么时候举办了区块链峰会?")
    expect(reply.locator(".cited-passage mark").first).to_be_visible()
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": 1100, "height": min(height, 1600)})   # the whole chat, no scrolling
    page.evaluate("window.scrollTo(0, 0)")
    page.locator("#question").blur()
    path = screenshot("readme-chat")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1100
    if os.environ.get("QA_WRITE_SCREENSHOT") == "1":
        (ROOT / "docs").mkdir(exist_ok=True)
        page.screenshot(path=str(ROOT / "docs" / "chat.png"))
    assert path.stat().st_size > 10_000


# ---------------------------------------------------------------- the page in the asker's language

def test_english_chat_shows_english_labels_and_the_english_answer_first(chat, page: Page):
    reply = chat.ask("How many blockchain companies does Guangzhou have?")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(reply.locator(".answer-localized")).to_have_text("more than 6000 blockchain companies")
    expect(reply.locator(".answer-localized")).to_have_attribute("lang", "en")
    expect(reply.locator(".answer-quote")).to_contain_text("6000以上のブロックチェーン企業")
    expect(reply.locator(".answer-quote")).to_have_attribute("lang", "ja")
    expect(reply.locator(".chip-city")).to_have_text("City: Guangzhou")
    expect(reply.locator("details.other-passages summary")).to_contain_text("Other passages")
    expect(reply.locator("details.facts summary")).to_contain_text("Facts")
    expect(chat.input).to_have_attribute("placeholder", "Ask about the article…")
    expect(chat.send).to_have_text("Send")
    expect(page.get_by_role("textbox", name="Question", exact=True)).to_be_visible()
    expect(page).to_have_title("Article Q&A")
    reply = chat.ask("What is the population of Hangzhou?")
    expect(reply.locator(".abstain-badge")).to_have_text("Not in the article")


def test_a_timeline_in_english_keeps_each_japanese_sentence_under_its_line(chat):
    reply = chat.ask("Give me Hangzhou's timeline")
    lines = reply.locator(".answer-localized li")
    expect(lines).to_have_count(4)
    expect(lines.first.locator(".localized-line")).to_have_text("December 2016 — Hangzhou")
    expect(lines.first.locator(".answer-quote")).to_contain_text("2016年12月には文書の中で")


def test_chinese_chat_in_traditional_glyphs(chat, page: Page):
    reply = chat.ask("廣州有多少家區塊鏈企業?")
    expect(page.locator("html")).to_have_attribute("lang", "zh")
    expect(reply.locator(".answer-localized")).to_have_text("6000多家區塊鏈企業")
    expect(reply.locator("details.other-passages summary")).to_contain_text("其他段落")
    expect(chat.send).to_have_text("发送")


def test_a_japanese_chat_is_unchanged(chat, page: Page):
    reply = chat.ask("広州のブロックチェーン企業は何社?")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(reply.locator(".answer-localized")).to_have_count(0)
    expect(reply.locator(".answer-text")).to_contain_text("6000以上のブロックチェーン企業")
    expect(reply.locator("details.other-passages summary")).to_contain_text("ほかの段落")
    expect(chat.send).to_have_text("送信")


def test_the_browser_language_sets_the_page_before_the_first_question(browser, base_url):
    context = browser.new_context(locale="en-US", base_url=base_url)
    page = context.new_page()
    try:
        page.goto("/")
        expect(page).to_have_title("Article Q&A")
        expect(page.locator("#welcome-title")).to_have_text("Ask about the article")
        first = page.locator("#suggestions button").first
        expect(first).to_be_visible()
        assert all(q.isascii() for q in page.locator("#suggestions button").all_inner_texts())
        expect(page.locator("#coverage")).to_contain_text("Hangzhou")
    finally:
        context.close()


def test_english_chat_screenshot_for_the_readme(chat, page: Page, screenshot):
    """An English chat at desktop width; QA_WRITE_SCREENSHOT=1 also writes docs/chat-en.png."""
    page.set_viewport_size({"width": 1100, "height": 800})
    chat.ask("How many blockchain companies does Guangzhou have?")
    chat.ask("And Hangzhou?")
    reply = chat.ask("Which city set up the earliest blockchain organisation?")
    expect(reply.locator(".answer-localized")).to_be_visible()
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": 1100, "height": min(height, 1600)})
    page.evaluate("window.scrollTo(0, 0)")
    page.locator("#question").blur()
    path = screenshot("readme-chat-en")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1100
    if os.environ.get("QA_WRITE_SCREENSHOT") == "1":
        page.screenshot(path=str(ROOT / "docs" / "chat-en.png"))
    assert path.stat().st_size > 10_000
