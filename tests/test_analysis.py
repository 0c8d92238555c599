"""One analyze() for passages and questions: Japanese, Chinese and English."""
from __future__ import annotations

from qa.analysis import detect_lang, normalize, stem_en


def words(analyzer, text, lang=None):
    return [t for t, _, _, is_word, _ in analyzer.terms(text, lang)[1] if is_word]


def test_japanese_uses_a_morphological_analyser_not_jieba(analyzer):
    w = words(analyzer, "ブロックチェーン産業センターが設立された。")
    assert "ブ" not in w and "ロ" not in w                # jieba would cut kana to single characters
    assert {"ブロック", "チェーン", "産業", "センター", "設立"} <= set(w)
    assert "が" not in w and "。" not in w                # particles and punctuation dropped


def test_chinese_glyphs_map_to_japanese_forms(analyzer):
    assert analyzer.to_japanese_glyphs("广州 企业 实施细则") == "広州 企業 実施細則"
    assert {"広州", "企業"} <= set(words(analyzer, "广州有多少家企业?"))
    assert words(analyzer, "廣州的企業") == words(analyzer, "广州的企业")   # traditional == simplified


def test_english_is_stemmed_and_stop_words_dropped(analyzer):
    assert words(analyzer, "How many companies were established?") == ["company", "establish"]
    assert stem_en("currencies") == stem_en("currency") == "currency"
    assert stem_en("announced") == stem_en("announce")


def test_normalisation_is_nfkc_and_keeps_original_offsets():
    n = normalize("ＡＢＣ企業は２０１８年")
    assert n.text == "abc企業は2018年"
    assert n.span(0, 3) == (0, 3) and n.span(6, 10) == (6, 10)


def test_language_detection():
    assert detect_lang("広州は?") == "ja"
    assert detect_lang("杭州呢?") == "zh"
    assert detect_lang("What about Hangzhou?") == "en"


def test_same_function_for_passages_and_questions(analyzer, index):
    p = next(p for p in index.passages if "55社" in p.text)
    assert analyzer.analyze(p.text, p.lang) == analyzer.analyze(p.text)


def test_bigrams_let_different_segmentations_meet(analyzer):
    zh = set(analyzer.analyze("深圳的政策主导", "zh"))
    ja = set(analyzer.analyze("深圳の政策は金融部門が主導しており", "ja"))
    assert "主導" in zh & ja


def test_highlight_spans_are_offsets_in_the_original_text(analyzer):
    text = "上海のブロックチェーン分野における政策"
    spans = analyzer.spans(text, {"上海", "政策"})
    assert [text[s:e] for s, e in spans] == ["上海", "政策"]
    wide = "ＡＢＣ社の政策"
    assert [wide[s:e] for s, e in analyzer.spans(wide, {"政策"})] == ["政策"]


def test_long_text_is_cut_for_sudachi(analyzer):
    terms = analyzer.analyze("ブロックチェーン。" * 8000)       # > 49,149 bytes in one call
    assert terms.count("ブロック") == 2 * 8000                 # once from mode C, once from mode A


def test_tagging_guesses_no_words_in_a_run_of_characters_its_model_lacks(monkeypatch):
    """jieba's HMM costs ~8 ms for each character its model lacks: a long run of them (a hostile
    or garbled question) is tagged without it, ordinary Chinese with it."""
    import jieba.posseg
    from qa.analysis import tagged_zh
    seen = []
    real = jieba.posseg.cut
    monkeypatch.setattr(jieba.posseg, "cut", lambda text, HMM=True: seen.append(HMM) or real(text, HMM=HMM))
    assert len(list(tagged_zh("輴" * 3000))) == 3000
    assert [w.word for w in tagged_zh("广州和深圳的区块链企业")][:3] == ["广州", "和", "深圳"]
    assert seen == [False, True]


def test_pos_viterbi_gives_jiebas_own_path_and_probability(analyzer):
    """qa.pos_viterbi tries only the states that can precede each state: the same result as
    jieba's Viterbi (which tries all 256), on Chinese text and on characters it never saw."""
    import random

    import jieba.posseg
    from jieba.posseg.char_state_tab import P as states
    from jieba.posseg.prob_emit import P as emit
    from jieba.posseg.prob_start import P as start
    from jieba.posseg.prob_trans import P as trans
    from jieba.posseg.viterbi import viterbi as jiebas
    from qa.pos_viterbi import viterbi

    assert jieba.posseg.viterbi is viterbi                  # installed by the analyser
    rng = random.Random(7)
    runs = ["区块链技术服务企业", "杭州市政府发布了扶持政策", "深圳前海", "雄安新区建设", "链"]
    runs += ["".join(chr(rng.randint(0x4E00, 0x9FD5)) for _ in range(rng.randint(1, 6))) for _ in range(150)]
    for run in runs:
        assert viterbi(run, states, start, trans, emit) == jiebas(run, states, start, trans, emit), run
