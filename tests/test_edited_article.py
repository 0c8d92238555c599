"""The same code answers an edited copy of the article (other cities, numbers, years).

Nothing about the article is in code: rename the cities, change the figures and dates,
edit the glossary's city rows (data only), rebuild, and the answers follow.
"""
from __future__ import annotations

import re

import pytest

from conftest import ARTICLE

CITIES = {"北京": "天津", "上海": "南京", "広州": "成都", "深圳": "武漢", "杭州": "西安"}
CITY_ROWS = {"天津": ("天津", "Tianjin"), "南京": ("南京", "Nanjing"), "成都": ("成都", "Chengdu"),
             "武漢": ("武汉", "Wuhan"), "西安": ("西安", "Xi'an|Xian")}


def edit(text: str) -> str:
    for old, new in CITIES.items():
        text = text.replace(old, new)
    text = re.sub(r"201([678])年", lambda m: f"{2015 + int(m.group(1))}年", text)   # 2016 -> 2021 ...
    for old, new in {"6000以上": "4200以上", "55社": "77社", "12の支援策": "9の支援策", "3-5の": "4-8の",
                     "全国で1位": "全国で2位", "5月25日": "3月14日", "2022年4月": "2022年9月"}.items():
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="module")
def edited(tmp_path_factory, analyzer):
    from qa.index import build_index
    from qa.service import Service
    data = tmp_path_factory.mktemp("edited-data")
    (data / ARTICLE.name).write_text(edit(ARTICLE.read_text(encoding="utf-8")), encoding="utf-8")
    glossary = (ARTICLE.parent / "glossary.tsv").read_text(encoding="utf-8").splitlines()
    rows = [line for line in glossary if line.startswith("kind")]
    rows += [f"city\t{ja}\t{zh}\t{en}" for ja, (zh, en) in CITY_ROWS.items()]
    rows += [line for line in glossary if line.startswith(("term", "place"))]
    (data / "glossary.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path_factory.mktemp("edited-index")
    build_index(data, out, analyzer)
    return Service(out, analyzer)


def test_the_edit_changed_what_it_should():
    text = edit(ARTICLE.read_text(encoding="utf-8"))
    assert "2021年2月" in text and "2016年" not in text and "北京" not in text and "77社" in text


def test_cities_come_from_the_edited_headings(edited):
    assert edited.index.cities == ["天津", "南京", "成都", "武漢", "西安"]


@pytest.mark.parametrize("question,expected", [
    ("成都のブロックチェーン企業数は全国で何位ですか?", "2位"),
    ("成都にはブロックチェーン企業がいくつありますか?", "4200"),
    ("西安には何社のブロックチェーン企業がありますか?", "77"),
    ("西安でブロックチェーンサミットが開催されたのはいつですか?", "2022年9月"),
    ("南京のブロックチェーン産業センターはいつ設立されましたか?", "2023年3月14日"),
    ("南京で2023年9月6日に発表された政策では何が提案されましたか?", "9の支援策"),
    ("成都が2023年10月に示した目標は何ですか?", "4-8の"),
    ("国内初の政府主催のブロックチェーンサミットを開催したのはどの都市ですか?", "西安"),
    ("西安什么时候举办了区块链峰会?", "2022年9月"),
    ("How many blockchain companies did Xi'an have?", "77"),
    ("When was Nanjing's blockchain industry center set up?", "2023年3月14日"),
])
def test_edited_answers(edited, question, expected):
    body = edited.ask(question)
    assert body["answer"] is not None, body["abstain"]
    assert expected in body["answer"]["text"]


def test_edited_timeline_and_follow_up(edited):
    body = edited.ask("2021年に何がありましたか?")
    dates = {f["date"] for f in body["facts"]}
    assert {"2021-02", "2021-11", "2021-12"} <= dates and not any(d.startswith("2016") for d in dates)
    body = edited.ask("成都は?", ["西安には何社のブロックチェーン企業がありますか?"])
    assert body["answer"]["city"] == "成都" and "4200" in body["answer"]["text"]


def test_the_old_cities_are_now_unknown(edited):
    body = edited.ask("北京のブロックチェーン政策は?")
    assert body["answer"] is None and body["abstain"]["reason"] == "unknown_name"


# ---------------------------------------------------------------- operations over the edited facts

@pytest.mark.parametrize("question,history,expected", [
    ("ブロックチェーン企業が最も少ない都市は?", [], ["西安"]),
    ("Which city has the most blockchain companies?", [], ["成都"]),
    ("この記事で日付がいちばん新しい出来事は?", [], ["2023年10月", "成都"]),
    ("Which city set up the earliest blockchain organisation?", [], ["天津"]),
    ("西安のサミットと成都の産業協会の設立、どっちが先?", [], ["成都"]),      # the order the edit reversed
    ("哪一年的事件最多?", [], ["2023"]),
    ("何都市が比較されていますか?", [], ["5", "天津", "南京", "成都", "武漢", "西安"]),
    ("2023年に南京では何件の出来事がありましたか?", [], ["4件"]),
    ("2021年12月に動きがあった都市はどことどこ?", [], ["天津", "西安"]),
    ("記事はどの都市を取り上げていますか?", [], ["天津", "南京", "成都", "武漢", "西安"]),
    ("それはいつ?", ["南京ブロックチェーン技術研究センターについて教えて"], ["2023年6月12日"]),
    ("何社?", ["西安のブロックチェーン企業のエコシステムはどうなっていますか?"], ["77"]),
    ("武漢のパートにはどんな見出しがついてますか?", [], ["武漢:金融テクノロジーセンター"]),
    ("天津最早的一件事和最晚的一件事分别是什么时候?", [], ["2021年2月", "2023年8月"]),
    ("and Nanjing that month?", ["What did Chengdu announce in June 2023?"], ["2023年6月12日", "南京"]),
    ("南京のブロックチェーン産業センターの開所日は?", [], ["2023年3月14日"]),
    ("成都はいつから本格的に取り組み始めた?", [], ["2022年7月"]),
    ("Which city moved first on blockchain?", [], ["天津"]),
    ("西安从什么时候开始关注区块链?", [], ["2021年12月"]),
    ("Which city gives big subsidies?", [], ["武漢"]),                 # 西安's sentence denies it
    ("南京の弱点は?", [], ["遅れ"]),
    ("Which cities give big subsidies?", [], ["武漢"]),
    ("補助金を出している都市は?", [], ["武漢"]),
    ("Which city relies on its internet industry?", [], ["西安"]),       # 天津's section fills the top ten
    ("西安和成都哪个企业多?", [], ["成都"]),
    ("西安和成都哪个企业更少?", [], ["西安"]),
    ("文中给出了区块链企业具体数量的城市有哪几个?", [], ["成都", "西安"]),
    ("what went on across the cities during 2022?", [], ["2022年7月", "2022年9月"]),
    ("那成都呢?", ["西安到2023年8月有几家区块链技术服务企业?"], ["4200"]),
    ("西安がブロックチェーンで強いのはなんで?", [], ["インターネット巨人"]),
    ("What does the article predict for Tianjin?", [], ["規制テクノロジー"]),
    ("Anything notable in Nanjing in mid-2023?", [], ["2023年6月12日"]),
    ("南京的區塊鏈產業中心跟技術研究中心,哪一個比較早成立?", [], ["2023年3月14日"]),
    ("Which was founded first - the Zhongguancun alliance or Chengdu's industry association?", [], ["2021年2月", "天津"]),
    ("西安和武汉在财政补贴上的思路有什么不一样?", [], ["西安: ", "財政補助金", "武漢: ", "財政補助に"]),
    ("成都の実施細則と南京の技術研究センター設立、時期が早いのはどっちですか?", [], ["2023年5月 成都"]),
    ("What's the most recent development mentioned anywhere in the piece?", [], ["2023年10月", "成都"]),
    ("デジタル発票とか国際送金で全国をリードしてる都市は?", [], ["武漢"]),
    ("那之前呢?", ["南京從哪一年開始在區塊鏈領域追趕?"], ["2021年〜2022年", "端材"]),   # before the earlier answer
    ("what happened before that?", ["When did Xi'an host its blockchain summit?"], ["2021年12月 西安"]),
    ("その後は?", ["成都の産業協会はいつ?"], ["2022年10月"]),
    ("and the policy doc at the end of that year said what?", ["When did Xi'an host its blockchain summit?"],
     ["2022年12月", "先発優位"]),
    ("誰が出したの?", ["天津で2023年8月に仮想通貨がらみの規制が出たって本当?"], ["金融リスク防止管理部門"]),
    ("Who leads Wuhan's blockchain policy?", [], ["金融部門"]),          # the body the sentence says acted
    ("What did Tianjin do in 2021?", [], ["2021年2月 天津", "2021年12月 天津"]),   # the city is not taken by "what did … do"
    ("2023年の下半期に何があった?", [], ["2023年8月", "2023年9月6日", "2023年10月"]),
    ("and before that?", ["When did Nanjing set up its blockchain industry center?"], ["端材"]),  # not the year-only event
    ("それっていつ時点の数字?", ["西安のブロックチェーン技術サービス関連企業は何社?"], ["2023年8月時点"]),
    ("西安 77家 是啥时候的数据", [], ["2023年8月時点"]),
    ("成都最早的區塊鏈相關動作是什麼時候?", [], ["2022年7月"]),             # 相关 says nothing of the topic
    ("南京の弱点は?", [], ["遅れ"]),
    ("what about October?", ["What did Chengdu announce in May 2023?"], ["2023年10月 成都"]),  # the earlier year
    ("what else was set up at the same time?", ["When was the Zhongguancun blockchain industry alliance founded?"],
     ["2021年2月", "インキュベーションセンター"]),
    ("那成都呢?", ["武汉从什么时候开始发布支持区块链的文件?"], ["2022年12月"]),     # since: the earliest of equal fits
    ("成都のブロックチェーン企業数、全国排第几?", [], ["2位"]),              # a Chinese question word in Japanese
    ("武漢想通过区块链补哪方面的短板?", [], ["金融の短所分野"]),
    ("武漢ってぶっちゃけどの分野でブロックチェーン進んでるの?", [], ["クロスボーダー決済"]),
    ("When did Nanjng set up its blockchain industry center?", [], ["2023年3月14日"]),   # a misspelt city
    ("what's Tianjin's weak spot when it comes to blockchain?", [], ["非常に厳しい規制"]),   # the sentence saying so
    ("2023年8月，各个城市都有什么消息？", [], ["2023年8月 天津", "2023年8月時点 西安"]),
    ("According to the article, what area is Wuhan weak in?", [], ["金融の短所分野"]),
    ("天津对炒币是什么态度？", [], ["暗号通貨業界に対して非常に厳しい規制"]),
    ("西安にブロックチェーン企業向けの工業団地みたいなのってできた？", [], ["産業園"]),
    ("Did Chengdu's local government put out any blockchain subsidy policy before 2023?", [], ["2022年12月"]),
    ("成都和西安比，哪边的区块链企业数量少？", [], ["西安"]),
    ("What's the most recent dated development mentioned anywhere in the article?", [], ["2023年10月 成都"]),
    ("成都区块链企业数量全国排名?", [], ["2位"]),                  # a ranking asked: the rank, not the count
    ("成都の企業数の順位は?", [], ["2位"]),
    ("成都の支援政策は何年に始まった?", [], ["2022年12月"]),           # since: the earliest of the fitting events
    ("What year did Chengdu's support policies start?", [], ["2022年12月"]),
    ("南京那个研究中心的全称?", [], ["南京ブロックチェーン技術研究センター"]),   # a full name from part of it
    ("and Wuhan?", ["When did Xi'an's government first mention blockchain in an official document?"],
     ["2021年11月"]),                                              # the words Wuhan's passages hold
    ("How does Chengdu's approach differ from Tianjin's?", [], ["成都: ", "産業先行", "天津: ", "政策の整備が早かった"]),
    ("How many things were set up or announced in Nanjing in 2023?", [], ["3件", "2023年9月6日"]),   # either kind counts
    ("政策の整備が一番遅れている都市は?", [], ["南京"]),                 # said in words, not the latest event
    ("天津と南京、どちらの政策が早かった?", [], ["天津"]),
    ("哪个城市的区块链政策最落后?", [], ["南京"]),
    ("哪个城市的区块链政策起步最早?", [], ["天津"]),                    # "started earliest": was early
    ("Which city was the last to start?", [], ["南京"]),
    ("Which city started on blockchain earliest?", [], ["天津"]),
    ("Which year saw the most activity?", [], ["2023年"]),                 # events counted by year
    ("成都區塊鏈協會是廣東第幾個?", [], ["初めて正式に登録"]),              # no number: the sentence saying "the first"
    ("南京の研究センターは全国で何番目?", [], ["初めての"]),
    ("Which city had the earliest policy document?", [], ["武漢", "2021年11月"]),   # a document: its date
    ("最も早く政策を出した都市は?", [], ["武漢", "2021年11月"]),        # an issued document: the dated events
    ("Which of Tianjin, Xi'an or Wuhan launched the first blockchain industrial park?", [], ["西安"]),
    ("天津和西安哪个城市举办了国内首个政府主办的区块链峰会?", [], ["西安"]),   # one of those named
    ("哪些城市設立了研究中心?", [], ["南京"]),                           # the set-up events holding the words
    ("五个城市中最早的事件是什么?", [], ["2021年2月 天津"]),              # events among the cities, not a city
    ("一番ブロックチェーン企業が少ないのは?", [], ["西安"]),              # words between 一番 and 少ない
    ("2023年に一番たくさん動きがあった都市ってどこ？", [], ["南京"]),
    ("五個城市裡，哪一個在財政補貼上下的力氣最大？", [], ["武漢"]),        # one of the cities; not the denial
    ("記事の中で最初に取り上げられている都市は？", [], ["天津"]),            # the order of its sections
    ("Which city does the article cover last?", [], ["西安"]),
    ("この記事で最初に出てくる日付は?", [], ["2021年2月 天津"]),          # a date asked: the first date, not the section
    ("天津のセクションで最初に書かれていることは?", [], ["天津は全国の政治・経済の中心"]),   # that city's section
    ("文章最后提到的事件是什么?", [], ["2023年10月 成都"]),              # an event asked: the latest
    ("同じタイミングで他に何ができた？", ["天津で2021年2月に設立された組織は？"], ["インキュベーション"]),
])
def test_edited_operations(edited, question, history, expected):
    body = edited.ask(question, history)
    assert body["answer"] is not None, (question, body["abstain"])
    for text in expected:
        assert text in body["answer"]["text"], (question, body["answer"]["text"])


def test_edited_number_of_another_year_abstains(edited):
    assert edited.ask("2025年西安有多少家区块链企业?")["answer"] is None      # the count is dated 2023年8月
    assert "77" in edited.ask("2023年西安有多少家区块链企业?")["answer"]["text"]


def test_edited_year_timeline_puts_the_event_dated_by_the_year_alone_after_dated_ones(edited):
    body = edited.ask("Walk me through Nanjing's 2023 timeline, in order.")
    assert [f["date"] for f in body["facts"]] == ["2023-03-14", "2023-06-12", "2023-09-06", "2023"]


def test_edited_cities_of_the_article_cite_its_lead_first(edited):
    body = edited.ask("这篇文章比较的是哪几个城市?")
    assert "天津、南京、成都、武漢、西安の5つの都市" in body["passages"][0]["text"]
    assert [p["city"] for p in body["passages"][1:5]] == ["天津", "南京", "成都", "武漢"]


def test_edited_amount_asked_of_a_count_abstains(edited):
    assert edited.ask("南京那9条支持措施的补贴金额具体是多少?")["answer"] is None     # money, not the count
    assert "9の支援策" in edited.ask("南京那个政策提出了多少条支持措施?")["answer"]["text"]


def test_edited_who_without_an_actor_abstains(edited):
    assert edited.ask("Who founded the Zhongguancun alliance?")["answer"] is None      # "…連盟が設立され": no actor
    assert "関係部門" in edited.ask("Who said Chengdu would announce a new support policy?")["answer"]["text"]


def test_edited_timeline_of_every_city_shows_each_citys_passage(edited):
    body = edited.ask("Walk me through all five cities chronologically")
    assert body["answer"]["type"] == "timeline"
    assert {p["city"] for p in body["passages"]} == {"天津", "南京", "成都", "武漢", "西安"}
    assert body["passages"][0]["text"].startswith("2021年から2022年")             # still the earliest first


def test_edited_year_timeline_lists_events_inside_the_year_first(edited):
    body = edited.ask("2022年各城市都发生了什么?")
    assert body["answer"]["type"] == "timeline"
    dates = [f["date"] for f in body["facts"]]
    assert dates[0] == "2022-07" and dates[-1] == "2021"          # the 2021-2022 span only overlaps 2022: last
    assert body["answer"]["text"].startswith("2022年7月 成都")


def test_edited_timeline_of_a_city(edited):
    body = edited.ask("成都の年表を見せて")
    assert body["answer"]["type"] == "timeline"
    assert [f["date"] for f in body["facts"]] == ["2022-07", "2022-10", "2022-12", "2023-05", "2023-10"]


def test_edited_follow_up_about_a_city_without_the_fact_abstains(edited):
    body = edited.ask("武漢は何位?", ["成都のブロックチェーン企業数は全国で何位?"])
    assert body["answer"] is None and body["understood"]["cities"] == ["武漢"]


@pytest.mark.parametrize("question,expected", [
    ("How many blockchain companies did Xi'an have?", "77 blockchain technology service related companies"),
    ("When was Nanjing's blockchain industry center set up?", "March 14, 2023"),
    ("成都有多少家区块链企业?", "4200多家区块链企业"),
    ("Which city has the most blockchain companies?", "Chengdu"),
    ("How many cities does the article cover?", "Tianjin, Nanjing, Chengdu, Wuhan, Xi'an"),
])
def test_edited_localized_answers(edited, question, expected):
    loc = edited.ask(question)["answer"]["localized"]
    assert expected in loc["text"], loc


def test_edited_why_cites_the_sentence_before_the_heading(edited):
    body = edited.ask("Why is Wuhan so focused on the finance side of blockchain?")
    assert body["passages"][0]["text"].startswith("武漢のブロックチェーン分野における政策は")
    assert edited.ask("武漢の方針は?")["passages"][0]["text"].startswith("武漢:")      # a stance question: the heading


def test_edited_numbers_of_a_time_the_article_does_not_reach(edited):
    assert edited.ask("how many did it have in 2026?", ["Which city has the most blockchain companies?"])["answer"] is None
    assert "4200" in edited.ask("how many did it have in 2023?", ["Which city has the most blockchain companies?"])["answer"]["text"]
    assert edited.ask("成都のブロックチェーン企業のうち、ユニコーンは何パーセント?")["answer"] is None


def test_edited_who_of_a_thing_the_article_never_names_abstains(edited):
    assert edited.ask("Who was the mayor of Xi'an when the blockchain summit took place?")["answer"] is None
    assert "2022年9月" in edited.ask("When did Xi'an hold the blockchain summit?")["answer"]["text"]


@pytest.mark.parametrize("question", ["各都市の特徴を一言で", "每个城市的定位分别是什么?", "What is each city's stance?"])
def test_edited_each_citys_line(edited, question):
    body = edited.ask(question)
    assert body["answer"]["text"].splitlines() == ["天津: 政策先行だが規制は厳しい", "南京: 追いつく",
                                                   "成都: 業界初、政策フォローアップ",
                                                   "武漢: 金融テクノロジーセンターの野心を示す",
                                                   "西安: 政策の導き、アプリケーション指向"]
    if "localized" in body["answer"]:                  # asked in Chinese or English: each line names its city so
        assert body["answer"]["localized"]["lines"][0]["text"] in ("Tianjin", "天津")
