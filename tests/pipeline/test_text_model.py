"""The trained text model in the pipeline: its signals, spans and the verdict they lead to (real model)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from fastapi.testclient import TestClient

from beffroi.settings import Settings
from tests.support import item


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, analyzers="language,keywords,text_model")


def _analysed(client: TestClient, text: str) -> dict[str, Any]:
    answer = client.post("/v1/items?wait=60", json=item(text))
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    assert body["status"] == "analysed"
    return body


def _model_signals(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["label"]: s for s in body["signals"] if s["analyzer"] == "text_model"}


def test_a_threat_is_held_with_the_models_evidence(client: TestClient) -> None:
    text = "Je vais te buter demain, sale rat."
    body = _analysed(client, text)
    threat = _model_signals(body)["threat"]
    assert threat["details"]["flagged"] is True
    assert threat["spans"] and all(text[s["start"] : s["end"]] == s["text"] for s in threat["spans"])
    assert "hold" in [a["kind"] for a in body["verdict"]["actions"]]


def test_an_idiom_is_not_a_threat_to_the_model(client: TestClient) -> None:
    signals = _model_signals(_analysed(client, "Je tue le temps en attendant le train."))
    assert "threat" not in signals or signals["threat"]["details"]["flagged"] is False
