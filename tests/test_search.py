"""Search finds what learners type, in both languages: the queries typed into Material's search box
in Chromium, the index behind it (sitebuild/search.py), and its word cutting."""
import json
import random
import re
import unicodedata

import pytest

from sitebuild import glossary
from sitebuild.search import (ZWSP, add_fields, chinese_names, is_han, name_token, names, segment,
                              stop_words, teaching_locations)
from tests.test_browser import browser, server, url_of  # noqa: F401  (fixtures shared with the browser tests)

TAUGHT = None  # a query's expected page: the one docs/glossary.yml names for it

# Each query, typed on a page of its language, must give first the page that teaches it: the page
# given, or with TAUGHT the page the glossary names for the term (or variant, or synonym) typed.
QUERIES = {
    "zh": [
        # the review's queries that failed (../shared/review.md, "Search"); 注意力 had no page then
        ("梯度消失", TAUGHT), ("学习率", TAUGHT), ("过拟合", TAUGHT), ("批量归一化", TAUGHT),
        ("数据加载", TAUGHT), ("批归一化", TAUGHT), ("梯度爆炸", TAUGHT), ("权重衰减", TAUGHT),
        ("独热编码", TAUGHT),
        # the queries of the first search test
        ("张量", TAUGHT), ("广播", TAUGHT), ("自动求导", TAUGHT), ("requires_grad", "autograd"),
        ("计算图", TAUGHT), ("反向传播", TAUGHT), ("激活函数", TAUGHT), ("模块", TAUGHT),
        ("损失函数", TAUGHT), ("优化器", TAUGHT), ("动量", TAUGHT), ("线性回归", TAUGHT),
        ("逻辑回归", TAUGHT), ("交叉熵", TAUGHT), ("数据集", TAUGHT), ("DataLoader", TAUGHT),
        ("设备", TAUGHT), ("可视化", "visualization"), ("TensorBoard", "visualization"),
        ("词窗口", "word-window"), ("笔记", "sources"), ("鞍点", TAUGHT), ("均方误差", TAUGHT),
        # more terms
        ("小批量", TAUGHT), ("隐藏层", TAUGHT), ("卷积", TAUGHT), ("池化", TAUGHT), ("步幅", TAUGHT),
        ("卷积神经网络", TAUGHT), ("循环神经网络", TAUGHT), ("LSTM", TAUGHT), ("GRU", TAUGHT),
        ("嵌入", TAUGHT), ("早停", TAUGHT), ("检查点", TAUGHT), ("混合精度", TAUGHT), ("残差块", TAUGHT),
        ("Softmax", TAUGHT), ("Dropout", TAUGHT), ("轮", TAUGHT), ("批量大小", TAUGHT),
        # variants the prose avoids, other books' names, English names typed on the Chinese site
        ("mini-batch", TAUGHT), ("隐层", TAUGHT), ("epoch", TAUGHT), ("批大小", TAUGHT),
        ("one-hot", TAUGHT), ("学习速率", TAUGHT), ("前向计算", TAUGHT), ("震荡", TAUGHT),
        ("等效步长", TAUGHT), ("BatchNorm", TAUGHT), ("词向量", TAUGHT), ("梯度弥散", TAUGHT),
        ("learning rate", TAUGHT), ("overfitting", TAUGHT),
        # several words, each required; full-width letters as a Chinese keyboard may type them
        ("梯度消失 LSTM", "rnn-advanced"), ("小批量 学习率", "stochastic-gradient-descent"),
        ("ＧＰＵ", TAUGHT),
        # part two of the course
        ("注意力", TAUGHT), ("自注意力", TAUGHT), ("多头注意力", TAUGHT), ("位置编码", TAUGHT),
        ("词元", TAUGHT), ("语言模型", TAUGHT), ("迁移学习", TAUGHT), ("微调", TAUGHT),
        ("数据增强", TAUGHT), ("梯度裁剪", TAUGHT), ("层归一化", TAUGHT), ("正则化", TAUGHT),
        ("精确率", TAUGHT), ("Kaiming 初始化", TAUGHT),
    ],
    "en": [
        # the review's query that failed, and the terms the Chinese queries above look for
        ("convolution", "cnn-basics"), ("vanishing gradient", TAUGHT), ("learning rate", TAUGHT),
        ("overfitting", TAUGHT), ("batch normalization", TAUGHT), ("data loading", TAUGHT),
        ("exploding gradients", TAUGHT), ("weight decay", TAUGHT), ("one-hot encoding", TAUGHT),
        # the queries of the first search test
        ("broadcasting", "tensors"), ("broadcasts", "tensors"), ("contiguous", "tensors"),
        ("requires_grad", "autograd"), ("autograd", "autograd"), ("computation graph", TAUGHT),
        ("backpropagation", "backprop"), ("Sequential", "modules"), ("ReLU", "modules"),
        ("MSELoss", "losses-optimizers"), ("zero_grad", "losses-optimizers"),
        ("optimizers", "losses-optimizers"), ("momentum", "momentum"),
        ("linear regression", "linear-regression"), ("BCEWithLogitsLoss", "logistic-regression"),
        ("cross-entropy", "cross-entropy"), ("DataLoader", "data"), ("TensorDataset", "data"),
        ("GPU", "devices"), ("cuda", "devices"), ("TensorBoard", "visualization"),
        ("word window", "word-window"), ("notes", "sources"), ("saddle point", "gradient-descent"),
        # more terms, variants and synonyms
        ("mini-batch", TAUGHT), ("minibatch", TAUGHT), ("epoch", TAUGHT), ("stride", TAUGHT),
        ("pooling", TAUGHT), ("hidden layer", TAUGHT), ("embedding", TAUGHT), ("LSTM", TAUGHT),
        ("GRU", TAUGHT), ("early stopping", TAUGHT), ("checkpoint", TAUGHT), ("mixed precision", TAUGHT),
        ("residual block", TAUGHT), ("softmax", TAUGHT), ("dropout", TAUGHT), ("BatchNorm", TAUGHT),
        ("optimiser", TAUGHT), ("back-propagation", TAUGHT), ("skip connection", TAUGHT),
        # several words, each required
        ("vanishing gradient LSTM", "rnn-advanced"), ("SGD momentum", "momentum"),
        # part two of the course
        ("attention", TAUGHT), ("self-attention", TAUGHT), ("multi-head attention", TAUGHT),
        ("positional encoding", TAUGHT), ("language model", TAUGHT), ("transfer learning", TAUGHT),
        ("fine-tuning", TAUGHT), ("data augmentation", TAUGHT), ("gradient clipping", TAUGHT),
        ("layer normalization", TAUGHT), ("regularization", TAUGHT), ("precision", TAUGHT),
    ],
}
# what no page teaches: no result at all, rather than pages sharing a character or one of the words
NO_RESULT = {
    # 人类 (humans) would be 人 + 类 without the index's list of words the site never uses, and 人
    # is a stop word: every page with 类
    "zh": ["强化学习", "生成对抗网络", "知识蒸馏", "张量 强化学习", "人类"],
    "en": ["reinforcement learning", "knowledge distillation", "tensor distillation"],
}
NONE_TEXT = {"zh": "没有找到符合条件的结果", "en": "No matching documents"}

# Counts the queries the page sends to the search worker and the results it gets back, in order:
# the worker answers each query with one result, so equal counts mean the last query is answered.
WATCH_WORKER = """(() => {
  const Base = window.Worker;
  window.__search = { queries: [], results: [] };
  window.Worker = class extends Base {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", e => { if (e.data && e.data.type === 3) __search.results.push(e.data.data); });
    }
    postMessage(message, ...rest) {
      if (message && message.type === 2) __search.queries.push(message.data);
      return super.postMessage(message, ...rest);
    }
  };
})()"""
RESULTS = "[...document.querySelectorAll('.md-search-result__item > a')].map(a => a.href)"
BOX = "input.md-search__input"


def taught(name: str, lang: str) -> str:
    """The page the glossary names for a term, variant or synonym typed in `lang`'s search box."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    pages = {e["page"] for e in glossary.load() if folded in {n.casefold() for n in names(e, lang)}}
    assert len(pages) == 1, f"{name!r}: the glossary names {sorted(pages) or 'no page'} for it"
    return pages.pop()


def open_search(browser, url: str):
    page = browser.new_page()
    page.add_init_script(WATCH_WORKER)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return page


def search(page, query: str) -> list[str]:
    """The result links of `query`, typed in the search box, once the worker has answered it."""
    for value in ("", query) if page.input_value(BOX) else (query,):  # a repeated query is sent again
        sent = page.evaluate("__search.queries.length")
        page.fill(BOX, value)
        page.press(BOX, "End")  # Material reads the query on keyup, as from a keyboard or IME
        # the search worker builds its index first (seconds on a busy 2-core machine)
        page.wait_for_function(f"() => __search.queries.length > {sent} "
                               "&& __search.results.length === __search.queries.length", timeout=90000)
    assert page.evaluate("__search.queries.at(-1)") == query
    return page.evaluate(RESULTS)


@pytest.fixture(scope="module")
def search_page(server, browser):
    """One page per language, its search index loaded once, reused by every query."""
    opened = {}

    def open_(lang):
        if lang not in opened:
            opened[lang] = open_search(browser, url_of(server, "index", lang))
        return opened[lang]

    yield open_
    for page in opened.values():
        page.close()


def page_of(url: str, server: str, lang: str) -> str:
    path = url.replace(server, "").split("?")[0].split("#")[0]
    return path.removeprefix("en/" if lang == "en" else "").strip("/") or "index"


@pytest.mark.browser
@pytest.mark.parametrize("lang,query,expected", [(lang, q, e) for lang, pairs in QUERIES.items() for q, e in pairs])
def test_search_finds_first_the_page_that_teaches_it(server, search_page, lang, query, expected):
    expected = taught(query, lang) if expected is TAUGHT else expected
    results = search(search_page(lang), query)
    assert results, f"{query!r}: no result, expected {expected}"
    found = [page_of(r, server, lang) for r in results]
    assert found[0] == expected, (query, list(dict.fromkeys(found))[:5])


@pytest.mark.browser
@pytest.mark.parametrize("lang,query", [(lang, q) for lang, queries in NO_RESULT.items() for q in queries])
def test_search_finds_nothing_for_what_no_page_teaches(search_page, lang, query):
    page = search_page(lang)
    assert search(page, query) == [], query
    assert page.inner_text(".md-search-result__meta").strip() == NONE_TEXT[lang]


@pytest.mark.browser
def test_search_stays_in_the_readers_language_and_loads_only_its_index(server, browser):
    for lang, query in (("zh", "tensor"), ("en", "tensor"), ("zh", "PyTorch"), ("en", "PyTorch")):
        indexes = []
        page = browser.new_page()
        page.add_init_script(WATCH_WORKER)
        page.on("request", lambda r: indexes.append(r.url) if "search_index" in r.url else None)
        page.goto(url_of(server, "tensors", lang))
        results = search(page, query)
        assert results, (lang, query)
        english = [r for r in results if r.startswith(server + "en/")]
        assert english == (results if lang == "en" else []), (lang, query, results[:10])
        assert indexes == [server + ("en/" if lang == "en" else "") + "search/search_index.json"], indexes
        page.close()


def index_of(site, lang) -> dict:
    folder = site / "en" if lang == "en" else site
    return json.loads((folder / "search" / "search_index.json").read_text(encoding="utf-8"))


@pytest.mark.browser
def test_the_worker_cuts_chinese_as_the_build_does(built_site, server, search_page):
    """The worker's cutting (search-query.js) and sitebuild.search.segment agree, word for word, on
    every query above and on 400 stretches of the site's own Chinese text."""
    index = index_of(built_site.site, "zh")
    stop = stop_words()
    words = set(index["config"]["words"].split())
    separator = re.compile(index["config"]["separator"])
    for doc in index["docs"]:
        for field in ("title", "text", "words", "names"):
            for token in re.split(separator, doc.get(field, "").replace(ZWSP, " ")):
                token = re.sub(r"^[^\w\u4e00-\u9fa5]+|[^\w\u4e00-\u9fa5]+$", "", token, flags=re.A)
                if is_han(token) and token not in stop:
                    words.add(token)
    longest = max(map(len, words))
    runs = re.findall(r"[\u4e00-\u9fff]+", " ".join(doc["text"].replace(ZWSP, "") for doc in index["docs"]))
    rng = random.Random(0)
    samples = [run[i:i + rng.randint(2, 8)] for run in rng.sample([r for r in runs if len(r) > 2], 400)
               for i in [rng.randrange(len(run) - 1)]]
    samples += [q for lang in QUERIES for q, _ in QUERIES[lang] if is_han(q)] + NO_RESULT["zh"][:-1]
    page = search_page("zh")
    search(page, "张量")  # the index is built
    worker = page.workers[0]
    cut = worker.evaluate("samples => samples.map(s => self.searchQuery.segment(s))", samples)
    assert cut == [segment(s, words, longest) for s in samples]


# The index, built ----------------------------------------------------------------------------

def test_each_language_has_its_own_search_index(built_site):
    for lang, folder in (("zh", built_site.site), ("en", built_site.site / "en")):
        index = json.loads((folder / "search" / "search_index.json").read_text(encoding="utf-8"))
        locations = [doc["location"] for doc in index["docs"]]
        assert "tensors/" in locations and "" in locations, lang
        assert not [x for x in locations if x.startswith("en/")], lang  # en: relative to /en/
        assert index["config"]["lang"] == (["en", "zh"] if lang == "zh" else ["en"])
        text = " ".join(doc["text"] for doc in index["docs"])
        chinese = len(re.findall(r"[\u4e00-\u9fff]", text)) / max(1, len(text))  # code is in both
        assert (chinese > 0.05) if lang == "zh" else (chinese < 0.005), (lang, chinese)


# where a glossary word's characters rightly belong to other words: "one epoch of data", "three
# gates control"
RIGHTLY_APART = {"轮数": ["一轮数据"], "门控": ["门控制"]}


def test_glossary_terms_are_single_words_and_sit_on_their_teaching_heading(built_site):
    entries = glossary.load()
    for lang in ("zh", "en"):
        index = index_of(built_site.site, lang)
        docs = {doc["location"]: doc for doc in index["docs"]}
        assert set(index["config"]["fields"]) >= {"title", "text", "names", "words"}
        separator = re.compile(index["config"]["separator"])
        for entry in entries:
            anchor = f"{entry['page']}/#{entry['anchor']}" if entry["anchor"] else f"{entry['page']}/"
            doc = docs.get(anchor) or docs[f"{entry['page']}/"]
            for name in names(entry, lang):
                assert name_token(name, separator) in doc["names"].split(), (lang, name, doc["location"])
                assert name in doc["words"], (lang, name, doc["location"])
    zh = index_of(built_site.site, "zh")
    text = "\n".join(doc["title"] + "\n" + doc["text"] for doc in zh["docs"])
    cut = []
    for term in chinese_names(entries):  # found in a word that holds it whole, never cut apart
        for match in re.finditer(f"{ZWSP}?".join(map(re.escape, term)), text):
            context = text[match.start() - 3:match.end() + 3]
            if ZWSP in match.group() and not any(ok in context.replace(ZWSP, "") for ok in RIGHTLY_APART.get(term, ())):
                cut.append(context.replace(ZWSP, "|"))
    assert cut == []
    unknown = zh["config"]["words"].split()
    assert unknown and not [w for w in unknown if w in text.replace(ZWSP, "")]  # words the site never uses


# The index's pieces, without a build -----------------------------------------------------------

def test_segment_takes_the_cut_into_fewest_words():
    words = {"过拟合", "拟合", "学习", "学习率", "梯度", "消失", "梯度消失", "注意力", "注意", "研究", "研究生", "生命"}
    longest = max(map(len, words))
    assert segment("过拟合", words, longest) == ["过拟合"]
    assert segment("学习率", words, longest) == ["学习率"]
    assert segment("梯度消失", words, longest) == ["梯度消失"]
    assert segment("注意力", words, longest) == ["注意力"]
    assert segment("学习梯度", words, longest) == ["学习", "梯度"]
    assert segment("研究生命", words, longest) == ["研究", "生命"]  # backward wins a tie of singles
    assert segment("啊学习", words, longest) == ["啊", "学习"]


FIXTURE = [  # the glossary's format (docs/glossary.yml), every key present as glossary.load() gives it
    {"zh": "批归一化", "en": "batch normalization", "avoid_zh": ["批量归一化"], "avoid_en": [],
     "also_zh": ["BatchNorm"], "also_en": ["BatchNorm"], "page": "data", "anchor": "train-eval"},
    {"zh": "小批量", "en": "mini-batch", "avoid_zh": ["mini-batch"], "avoid_en": ["minibatch"],
     "also_zh": [], "also_en": [], "page": "sgd", "anchor": "no-such-heading"},
]


def test_terms_go_to_the_teaching_heading_or_else_the_page():
    docs = [{"location": loc, "title": "", "text": ""} for loc in ("data/", "data/#train-eval", "sgd/")]
    zh = teaching_locations(FIXTURE, "zh", {d["location"] for d in docs})
    assert zh == {"data/#train-eval": ["批归一化", "批量归一化", "BatchNorm", "batch normalization"],
                  "sgd/": ["小批量", "mini-batch", "minibatch"]}
    en = teaching_locations(FIXTURE, "en", {d["location"] for d in docs})
    assert en == {"data/#train-eval": ["batch normalization", "BatchNorm"], "sgd/": ["mini-batch", "minibatch"]}
    assert chinese_names(FIXTURE) == {"批归一化", "批量归一化", "小批量"}


def test_a_name_is_one_token_of_its_words():
    separator = re.compile(r"[\s\-_]+|\.(?!\d)")
    assert name_token("1×1 卷积", separator) == "1×1·卷积"
    assert name_token("Mini-Batch", separator) == "mini·batch"
    assert name_token("双向 RNN", separator) == name_token("双向RNN", separator) == "双向·rnn"
    assert name_token("nn.Module", separator) == "nn·module"
    assert name_token("批归一化", separator) == "批归一化"


def test_hidden_fields_hold_inner_words_names_and_unknown_words():
    text = ZWSP.join(["", "卷积神经网络", "的", "批归一化", "很", "注意", "，", "力", ""])
    docs = [{"location": "data/", "title": "数据", "text": text},
            {"location": "data/#train-eval", "title": "训练", "text": "评估"},
            {"location": "sgd/", "title": "", "text": ""}]
    freq = {"卷积": 5, "神经": 5, "网络": 5, "神经网络": 5, "归一化": 5, "注意力": 5, "注意": 5, "力": 5,
            "卷积神经网络": 5, "网络化": 5}
    import sitebuild.search as site_search
    original = site_search.dictionary
    site_search.dictionary = lambda: freq
    try:
        extra = add_fields(docs, "zh", FIXTURE, r"[\s\-]+")
    finally:
        site_search.dictionary = original
    assert set(docs[0]["words"].split()) == {"卷积", "神经", "网络", "神经网络", "归一化"}
    assert docs[1]["names"].split()[:2] == ["批归一化", "批量归一化"]
    assert docs[2]["names"].split() == ["小批量", "mini·batch", "minibatch"]
    assert "mini-batch" in docs[2]["words"]
    assert extra["fields"]["names"]["boost"] > 1000  # above a title (Material gives titles 1000)
    # 注意力 is on no page, but 注意 and 力 would be found together; 网络化 has no 化 to share
    assert extra["words"].split() == ["注意力"]
