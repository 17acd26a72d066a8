"""The classifier's glossary: entries as examples and as a prior, their serialisation, the CSV reader."""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from gongzhi.cases.classifier import TextClassifier, case_text, read_glossary_csv, train

from .test_classifier import EDUCATION, ENVIRONMENT, TRAFFIC, UNSEEN, _training_set

GLOSSARY = {
    EDUCATION: ["文物管理 文物保护", "文化 非物质文化遗产"],
    ENVIRONMENT: ["环境污染 噪音污染"],
    TRAFFIC: ["出租车管理 网约车问题"],
}
TEXTS = [
    case_text("古城墙文物保护不力", "城墙年久失修，文物保护无人过问。"),
    case_text("网约车平台乱收费", "网约车问题越来越多。"),
    *(case_text(title, detail) for title, detail, _ in UNSEEN),
    "完全无关的内容",
    "",
]


@pytest.fixture(scope="module")
def model() -> TextClassifier:
    return train(*_training_set(), glossary=GLOSSARY)


def _cosine_by_label(model: TextClassifier, text: str, glossary: dict[str, list[str]]) -> np.ndarray:
    """Brute force: per label, the largest dot product of the text's features with one of its entries'."""
    rows, values = model._features(text)
    vector = np.zeros(len(model.title_vocabulary) + len(model.detail_vocabulary))
    vector[rows] = values
    best = np.zeros(len(model.labels))
    for label, entries in glossary.items():
        for entry in entries:
            entry_rows, entry_values = model._features(entry)
            j = model.labels.index(label)
            best[j] = max(best[j], float(vector[entry_rows] @ entry_values))
    return best


def test_the_prior_adds_each_labels_best_entry_cosine_times_the_weight(model: TextClassifier) -> None:
    # given a model trained with a glossary, and the same model without its prior
    assert len(model.glossary_labels) == 4
    assert model.glossary_weight >= 0.0
    weighted = dataclasses.replace(model, glossary_weight=2.5)
    unweighted = dataclasses.replace(model, glossary_weight=0.0)
    for text in TEXTS:
        # when a text is scored with and without the prior
        difference = weighted._decision(text) - unweighted._decision(text)
        # then the difference is the weight times each label's best cosine with its entries
        assert np.allclose(difference, 2.5 * _cosine_by_label(model, text, GLOSSARY), atol=1e-5)


def test_a_heavy_prior_sends_a_text_to_the_label_whose_entry_it_matches(model: TextClassifier) -> None:
    # given the model with an overwhelming glossary weight
    heavy = dataclasses.replace(model, glossary_weight=100.0)
    # when texts that match one entry each are classified
    # then each gets that entry's label; a text matching no entry is left to the linear layer
    assert heavy.predict(TEXTS[0], k=1)[0][0] == EDUCATION
    assert heavy.predict(TEXTS[1], k=1)[0][0] == TRAFFIC
    assert heavy.predict("完全无关的内容", k=1) == dataclasses.replace(model, glossary_weight=0.0).predict(
        "完全无关的内容", k=1
    )


def test_predict_many_agrees_with_predict_under_the_prior(model: TextClassifier) -> None:
    heavy = dataclasses.replace(model, glossary_weight=3.0)
    assert heavy.predict_many(TEXTS) == [heavy.predict(text, k=1)[0][0] for text in TEXTS]


def test_a_glossary_of_untrained_labels_changes_nothing() -> None:
    # given a glossary whose only label has no examples
    texts, labels = _training_set()
    # when training with it and without a glossary
    # then the two models are the same, byte for byte
    assert train(texts, labels, glossary={"民政": ["养老服务"]}).to_bytes() == train(texts, labels).to_bytes()


def test_round_trip_keeps_the_glossary(model: TextClassifier) -> None:
    # given a model with a glossary, written to bytes
    data = model.to_bytes()
    # when read back
    again = TextClassifier.from_bytes(data)
    # then the glossary and its weight survive, every member is a plain numeric array, and it answers the same
    assert again.glossary_weight == model.glossary_weight
    assert np.array_equal(again.glossary_labels, model.glossary_labels)
    heavy, heavy_again = (dataclasses.replace(m, glossary_weight=3.0) for m in (model, again))
    assert [heavy_again.predict(t, k=3) for t in TEXTS] == [heavy.predict(t, k=3) for t in TEXTS]
    assert again.to_bytes() == data
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        assert all(archive[name].dtype.kind in "fu" for name in archive.files)


def _members(model: TextClassifier) -> tuple[dict[str, np.ndarray], dict[str, object]]:
    with np.load(io.BytesIO(model.to_bytes()), allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    return arrays, json.loads(bytes(arrays["header"]).decode())


def _archive(arrays: dict[str, np.ndarray], header: dict[str, object]) -> bytes:
    members: dict[str, Any] = {**arrays, "header": np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)}
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **members)
    return buffer.getvalue()


def test_a_version_1_model_still_loads() -> None:
    # given a model written before glossaries: version 1, no glossary members
    plain = train(*_training_set())
    arrays, header = _members(plain)
    old_arrays = {name: array for name, array in arrays.items() if not name.startswith("glossary_")}
    old_header = {key: value for key, value in header.items() if key != "glossary_weight"} | {"version": 1}
    # when loaded
    loaded = TextClassifier.from_bytes(_archive(old_arrays, old_header))
    # then it has no glossary and answers as the model it was written from
    assert len(loaded.glossary_labels) == 0 and loaded.glossary_weight == 0.0
    assert [loaded.predict(t, k=3) for t in TEXTS] == [plain.predict(t, k=3) for t in TEXTS]


def test_from_bytes_refuses_a_glossary_that_points_past_the_features_or_a_negative_weight(
    model: TextClassifier,
) -> None:
    arrays, header = _members(model)
    past = dict(arrays, glossary_indices=arrays["glossary_indices"] + np.uint32(len(model.coef)))
    cut = dict(arrays, glossary_values=arrays["glossary_values"][:-1])
    for data in (_archive(past, header), _archive(cut, header), _archive(arrays, {**header, "glossary_weight": -1.0})):
        with pytest.raises(ValueError, match="glossary"):
            TextClassifier.from_bytes(data)


def test_read_glossary_csv_keeps_the_named_leaves(tmp_path: Path) -> None:
    # given a three-level scheme with generic "其他" leaves, a duplicate row and a BOM
    path = tmp_path / "taxonomy.csv"
    path.write_text(
        "一级分类,二级分类,三级分类\n"
        "环境保护,环境污染,噪音污染\n"
        "环境保护,环境污染,其他\n"
        "环境保护,建设项目审批,其他\n"
        "环境保护,其他,其他\n"
        "交通运输,出租车管理,网约车问题\n"
        "交通运输,出租车管理,网约车问题\n"
        "民政,其他,其他\n",
        encoding="utf-8-sig",
    )
    # when read
    # then each named leaf is one entry; "其他" and the beginnings of named leaves add none
    assert read_glossary_csv(path) == {
        "环境保护": ["环境污染 噪音污染", "建设项目审批"],
        "交通运输": ["出租车管理 网约车问题"],
    }


def test_read_glossary_csv_needs_a_term_column(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text("一级分类\n环境保护\n", encoding="utf-8")
    with pytest.raises(ValueError, match="term column"):
        read_glossary_csv(path)
