"""The case classifier: training, top-k suggestions, safe serialisation, the eval command, the real data."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gongzhi.cases.classifier import (
    TextClassifier,
    case_text,
    cross_validate,
    evaluate,
    read_glossary_csv,
    read_labeled_csv,
    train,
)

LABELED = Path(__file__).parents[2].parent / "shared/data/gov_messages/labeled.csv"
# The city's category scheme: the glossary of the labels (second and third levels under each sector).
TAXONOMY = LABELED.parent / "taxonomy.csv"
ACCEPTANCE_MACRO_F1 = 0.88
# Character 1–2-grams of title + detail into a LinearSVC(C=0.5): the plain model this one replaced.
BASELINE_MACRO_F1 = 0.826

TRAFFIC, ENVIRONMENT, EDUCATION = "交通运输", "环境保护", "教育文体"

EXAMPLES: dict[str, list[tuple[str, str]]] = {
    TRAFFIC: [
        ("公交车长时间不来", "12路公交车早高峰半小时才来一班，乘客挤不上车。"),
        ("出租车拒载乘客", "晚上在火车站打出租车，司机嫌路近拒绝载客。"),
        ("道路坑洼不平影响行车", "国道路面坑洼，车辆经过颠簸，容易发生交通事故。"),
        ("网约车司机绕路多收费", "乘坐网约车，司机故意绕路，车费比平时多一倍。"),
        ("红绿灯时间设置不合理", "路口红绿灯时间太短，车辆排队很长。"),
        ("货车超载损坏公路", "大货车超载运输砂石，公路被压坏。"),
        ("客运班车票价上涨", "县城到市里的客运班车票价突然上涨。"),
        ("高速公路收费站排队太久", "节假日高速收费站车辆排长队，通行缓慢。"),
        ("希望增开公交线路", "新建小区没有公交线路，居民出行不便，希望增开公交车。"),
        ("驾驶证换证手续繁琐", "驾驶证到期换证要跑好几趟车管所。"),
        ("汽车站秩序混乱", "长途汽车站内黑车司机拉客，乘车秩序混乱。"),
        ("乡村公路没有硬化", "村里通往镇上的公路还是土路，下雨天车辆无法通行。"),
        ("公交站台没有遮雨棚", "公交车站台没有遮雨棚，乘客下雨天淋雨候车。"),
        ("出租车不打表", "出租车司机不打表，随意要价。"),
        ("路口缺少交通信号灯", "十字路口没有信号灯，车辆抢行，交通事故频发。"),
    ],
    ENVIRONMENT: [
        ("工厂排放黑烟污染空气", "附近化工厂夜间排放黑烟，刺鼻气味让人无法呼吸。"),
        ("河道被污水污染", "养殖场污水直排河道，河水发黑发臭，鱼虾死亡。"),
        ("夜间施工噪音扰民", "工地深夜施工，机器轰鸣，噪音让居民无法入睡。"),
        ("餐馆油烟直排", "楼下餐馆油烟直排，油烟味熏得住户不敢开窗。"),
        ("露天焚烧垃圾", "村民露天焚烧垃圾，烟雾弥漫，空气质量很差。"),
        ("采石场粉尘污染", "采石场粉尘大，周边农田庄稼上落满灰尘。"),
        ("建设项目未做环评", "新建的电镀厂没有环评就开工生产，排放废气。"),
        ("饮用水源地被污染", "水库上游有人排放废水，饮用水源受到污染。"),
        ("养猪场臭气熏天", "养猪场粪便随意堆放，臭气熏天，污染环境。"),
        ("危险废物随意倾倒", "有企业在山沟里倾倒危险废物，污染土壤和地下水。"),
        ("砖厂烟囱冒黑烟", "砖厂烟囱整天冒黑烟，周边空气污染严重。"),
        ("KTV噪声扰民", "小区旁的KTV噪音很大，深夜还在唱歌扰民。"),
        ("造纸厂废水直排", "造纸厂废水未经处理直接排入江中，江水变色。"),
        ("搅拌站噪声和扬尘", "混凝土搅拌站噪声大扬尘多，附近居民深受其害。"),
        ("垃圾填埋场渗滤液外流", "垃圾填埋场渗滤液流进农田，臭味刺鼻，污染严重。"),
    ],
    EDUCATION: [
        ("学校乱收补课费", "中学老师周末组织学生补课，每人收取补课费。"),
        ("孩子上学难", "小区附近没有小学，孩子上学要走很远。"),
        ("幼儿园收费过高", "私立幼儿园学费一学期涨到一万元，家长负担重。"),
        ("教师工资拖欠", "乡村教师工资已经三个月没有发放。"),
        ("学生课业负担太重", "小学生每天作业写到晚上十一点，老师布置作业太多。"),
        ("体育馆不对外开放", "市体育馆建好后一直不对市民开放，群众无法健身。"),
        ("图书馆开放时间太短", "图书馆周末闭馆，学生没地方看书学习。"),
        ("学校食堂饭菜质量差", "学校食堂饭菜难吃，学生吃不饱。"),
        ("中考招生政策不公平", "中考加分政策不透明，家长质疑学校招生不公平。"),
        ("特岗教师转正问题", "特岗教师服务期满后迟迟不能入编，老师们很着急。"),
        ("学校强制购买教辅资料", "班主任要求学生统一购买教辅资料，家长不满。"),
        ("文化广场缺少健身器材", "社区文化广场没有健身器材，居民无法锻炼身体。"),
        ("民办学校违规招生", "民办学校提前招生考试，违反教育局规定。"),
        ("大学生助学金评定不公", "学院评定助学金不公开，贫困学生没有评上。"),
        ("乡村小学师资不足", "乡村小学只有两名老师，要教六个年级的学生。"),
    ],
}

UNSEEN = [
    ("公交车司机开车太快", "这路公交车司机开车速度太快，乘客站不稳。", TRAFFIC),
    ("出租车司机乱收费", "出租车司机不按计价器收费，多收乘客车费。", TRAFFIC),
    ("化工厂废水排进河里", "化工厂偷偷把废水排进河里，河水发臭。", ENVIRONMENT),
    ("工地噪音太大", "工地晚上施工噪音太大，居民无法入睡。", ENVIRONMENT),
    ("老师收取补课费", "学校老师寒假组织学生补课并收取费用。", EDUCATION),
    ("幼儿园学费太贵", "幼儿园学费太贵，家长负担不起。", EDUCATION),
]


def _training_set() -> tuple[list[str], list[str]]:
    texts = [case_text(title, detail) for rows in EXAMPLES.values() for title, detail in rows]
    labels = [label for label, rows in EXAMPLES.items() for _ in rows]
    return texts, labels


@pytest.fixture(scope="module")
def model() -> TextClassifier:
    return train(*_training_set())


def _write_csv(path: Path, rows: list[dict[str, str]], columns: tuple[str, ...], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows({column: row.get(column, "") for column in columns} for row in rows)
    return path


def test_a_trained_model_recognises_clear_unseen_reports(model: TextClassifier) -> None:
    # given a model trained on a few dozen short reports of three sectors
    # when it sees reports it was not trained on
    predicted = [model.predict(case_text(title, detail), k=1)[0][0] for title, detail, _ in UNSEEN]
    # then each gets its sector
    assert predicted == [label for _, _, label in UNSEEN]
    assert sorted(model.labels) == sorted(EXAMPLES)


def test_top_k_is_ordered_best_first_with_probabilities(model: TextClassifier) -> None:
    # given a report about a bus
    text = case_text("公交车太挤", "早高峰公交车太挤，希望增加班次。")
    # when asking for the top three, and for more labels than there are
    top = model.predict(text, k=3)
    everything = model.predict(text, k=10)
    # then the labels come best first, each once, with probabilities in [0, 1] summing to at most 1
    probabilities = [p for _, p in top]
    assert top[0][0] == TRAFFIC
    assert probabilities == sorted(probabilities, reverse=True)
    assert all(0.0 <= p <= 1.0 for p in probabilities)
    assert sum(probabilities) <= 1.0 + 1e-6
    assert len({label for label, _ in top}) == 3
    assert everything == top  # only three labels exist
    assert model.predict(text, k=1) == top[:1]


def test_predict_many_agrees_with_predict(model: TextClassifier) -> None:
    # given the unseen reports
    texts = [case_text(title, detail) for title, detail, _ in UNSEEN]
    # when classified one by one and all at once
    # then the answers agree
    assert model.predict_many(texts) == [model.predict(text, k=1)[0][0] for text in texts]


def test_free_text_without_a_title_line_still_classifies(model: TextClassifier) -> None:
    # given text that did not come from case_text (no line break)
    # when classified
    # then it is read as both title and detail
    assert model.predict("河水被工厂废水污染发臭", k=1)[0][0] == ENVIRONMENT


def test_round_trip_through_bytes_gives_identical_predictions(model: TextClassifier) -> None:
    # given a model written to bytes
    data = model.to_bytes()
    # when read back
    again = TextClassifier.from_bytes(data)
    # then it answers exactly as the original, and writes the same bytes again
    texts = [case_text(title, detail) for title, detail, _ in UNSEEN] + ["", "完全无关的内容"]
    assert again.labels == model.labels
    assert [again.predict(t, k=3) for t in texts] == [model.predict(t, k=3) for t in texts]
    assert again.to_bytes() == data


def test_serialisation_holds_no_pickle(model: TextClassifier) -> None:
    # given a model's bytes
    data = model.to_bytes()
    # when read with pickling refused
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        dtypes = {name: archive[name].dtype for name in archive.files}
    # then every member is a plain numeric array
    assert dtypes and all(dtype.kind in "fu" for dtype in dtypes.values())


@pytest.mark.parametrize(
    "garbage",
    [b"", b"not a model", b"PK\x03\x04 truncated zip", bytes(range(256)) * 4],
    ids=["empty", "text", "broken-zip", "noise"],
)
def test_from_bytes_refuses_garbage(garbage: bytes) -> None:
    # given bytes that are not a model
    # when loaded
    # then a ValueError says so
    with pytest.raises(ValueError, match="TextClassifier"):
        TextClassifier.from_bytes(garbage)


def test_from_bytes_refuses_other_archives_and_truncated_models(model: TextClassifier) -> None:
    # given an npz that is not a model, and a model cut short
    other = io.BytesIO()
    np.savez_compressed(other, weights=np.ones(3))
    truncated = model.to_bytes()[:-100]
    # when loaded
    # then both are refused with a ValueError
    for data in (other.getvalue(), truncated):
        with pytest.raises(ValueError, match="TextClassifier"):
            TextClassifier.from_bytes(data)


def test_from_bytes_refuses_an_unknown_version_and_inconsistent_arrays(model: TextClassifier) -> None:
    # given a model whose header claims a future version, and one whose weights lost a column
    with np.load(io.BytesIO(model.to_bytes()), allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    header = json.loads(bytes(arrays["header"]).decode())

    def rebuilt(**changes: object) -> bytes:
        members = {**arrays, **changes}
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **members)
        return buffer.getvalue()

    future = rebuilt(header=np.frombuffer(json.dumps({**header, "version": 99}).encode(), dtype=np.uint8))
    narrow = rebuilt(coef=arrays["coef"][:, :-1])
    # when loaded
    # then each is refused, naming what is wrong
    with pytest.raises(ValueError, match="version"):
        TextClassifier.from_bytes(future)
    with pytest.raises(ValueError, match="coef"):
        TextClassifier.from_bytes(narrow)


def test_training_needs_two_labels_and_matching_lengths() -> None:
    # given one label only, and texts and labels of different lengths
    # when training
    # then ValueError
    with pytest.raises(ValueError, match="two labels"):
        train(["公交车", "出租车"], [TRAFFIC, TRAFFIC])
    with pytest.raises(ValueError, match="labels"):
        train(["公交车", "出租车"], [TRAFFIC])


def test_evaluate_and_cross_validate_report_their_figures() -> None:
    # given the synthetic training set
    texts, labels = _training_set()
    # when cross-validated, and a model evaluated on the unseen reports
    result = cross_validate(texts, labels, folds=3, seed=0)
    scored = evaluate(train(texts, labels), [case_text(t, d) for t, d, _ in UNSEEN], [label for *_, label in UNSEEN])
    # then both report n, accuracy and macro-F1, the folds each their own
    assert result["n"] == len(texts) and result["folds"] == 3
    assert len(result["fold_macro_f1"]) == 3 and len(result["fold_accuracy"]) == 3
    assert 0.8 <= result["macro_f1"] <= 1.0
    assert scored == {"n": len(UNSEEN), "accuracy": 1.0, "macro_f1": 1.0}


def test_read_labeled_csv_accepts_a_bom_and_names_a_missing_column(tmp_path: Path) -> None:
    # given a CSV written with a BOM, and one without the label column
    rows = [{"title": "公交车太挤", "detail": "希望加车", "label": TRAFFIC}]
    with_bom = _write_csv(tmp_path / "bom.csv", rows, ("id", "title", "detail", "label"), encoding="utf-8-sig")
    no_label = _write_csv(tmp_path / "nolabel.csv", rows, ("title", "detail"))
    # when read
    texts, labels = read_labeled_csv(with_bom)
    # then the first gives its case texts and labels, the second an error naming the column
    assert texts == [case_text("公交车太挤", "希望加车")] and labels == [TRAFFIC]
    with pytest.raises(ValueError, match="label"):
        read_labeled_csv(no_label)


def _labelled_rows(pairs: list[tuple[str, str, str]]) -> list[dict[str, str]]:
    return [{"title": title, "detail": detail, "label": label} for title, detail, label in pairs]


def test_eval_command_prints_one_json_line(tmp_path: Path) -> None:
    # given a training CSV and a test CSV
    columns = ("id", "title", "detail", "label")
    pairs = [(title, detail, label) for label, rows in EXAMPLES.items() for title, detail in rows]
    train_csv = _write_csv(tmp_path / "train.csv", _labelled_rows(pairs), columns, encoding="utf-8-sig")
    test_csv = _write_csv(tmp_path / "test.csv", _labelled_rows(UNSEEN), columns)
    out, err = io.StringIO(), io.StringIO()
    # when evaluating the classifier
    call_command("eval", "classifier", "--train", str(train_csv), "--data", str(test_csv), stdout=out, stderr=err)
    # then stdout is exactly one JSON line with the figures, and progress went to stderr
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert set(result) == {"n", "accuracy", "macro_f1"}
    assert result["n"] == len(UNSEEN)
    assert result["accuracy"] == 1.0 and result["macro_f1"] == 1.0
    assert "training on" in err.getvalue()


def test_eval_command_rejects_a_missing_column_or_file(tmp_path: Path) -> None:
    # given a test CSV without the label column, and a path that does not exist
    columns = ("title", "detail", "label")
    pairs = [(title, detail, label) for label, rows in EXAMPLES.items() for title, detail in rows]
    train_csv = _write_csv(tmp_path / "train.csv", _labelled_rows(pairs), columns)
    no_label = _write_csv(tmp_path / "test.csv", _labelled_rows(UNSEEN), ("title", "detail"))
    # when evaluating
    # then a CommandError names the problem
    with pytest.raises(CommandError, match=r"missing column.*label"):
        call_command("eval", "classifier", "--train", str(train_csv), "--data", str(no_label), stdout=io.StringIO())
    with pytest.raises(CommandError, match="no such file"):
        call_command(
            "eval",
            "classifier",
            "--train",
            str(tmp_path / "absent.csv"),
            "--data",
            str(train_csv),
            stdout=io.StringIO(),
        )


@pytest.mark.slow
@pytest.mark.skipif(
    not (LABELED.is_file() and TAXONOMY.is_file()),
    reason=f"the labelled hotline messages and their taxonomy are not at {LABELED.parent}",
)
def test_five_fold_cross_validation_on_the_hotline_messages() -> None:
    # given the 924 labelled hotline messages, and the city scheme's subcategories of their labels
    texts, labels = read_labeled_csv(LABELED)
    glossary = read_glossary_csv(TAXONOMY)
    # when cross-validated in five stratified folds, each fold's model getting the glossary
    result = cross_validate(texts, labels, folds=5, seed=0, glossary=glossary)
    # then the model clearly beats the plain baseline, and reaches the acceptance target
    assert result["n"] == len(texts)
    assert result["macro_f1"] > BASELINE_MACRO_F1, result
    assert result["macro_f1"] >= ACCEPTANCE_MACRO_F1, result


def test_eval_command_takes_the_labels_scheme_as_a_glossary(tmp_path: Path) -> None:
    # given the training and test CSVs, and the scheme the labels come from (label, then subcategories)
    columns = ("title", "detail", "label")
    pairs = [(title, detail, label) for label, rows in EXAMPLES.items() for title, detail in rows]
    train_csv = _write_csv(tmp_path / "train.csv", _labelled_rows(pairs), columns)
    test_csv = _write_csv(tmp_path / "test.csv", _labelled_rows(UNSEEN), columns)
    scheme = tmp_path / "scheme.csv"
    scheme.write_text(
        "一级分类,二级分类,三级分类\n" + "".join(f"{label},{label}事项,{label}其他\n" for label in EXAMPLES),
        encoding="utf-8",
    )
    out = io.StringIO()
    # when evaluating with it, and with a glossary that does not exist
    call_command(
        "eval", "classifier", "--train", str(train_csv), "--data", str(test_csv), "--glossary", str(scheme),
        stdout=out, stderr=io.StringIO(),
    )  # fmt: skip
    # then the figures come out as before, and a missing glossary is named
    assert json.loads(out.getvalue())["n"] == len(UNSEEN)
    with pytest.raises(CommandError, match="no such file"):
        call_command(
            "eval", "classifier", "--train", str(train_csv), "--data", str(test_csv),
            "--glossary", str(tmp_path / "absent.csv"), stdout=io.StringIO(),
        )  # fmt: skip
