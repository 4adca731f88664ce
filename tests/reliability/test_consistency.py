"""A request reads one generation from start to end, even when a writer swaps in a new
one in the middle of it (deterministic version of the race the churn load test hunts)."""
from __future__ import annotations

import os

import pytest

from tests.reliability import _support as S

pytestmark = pytest.mark.slow


def _point_current(home, name: str) -> None:
    tmp = home / "index" / "CURRENT.tmp"
    tmp.write_text(name + "\n")
    os.replace(tmp, home / "index" / "CURRENT")


def test_ask_reads_one_generation_when_a_swap_lands_mid_request(seed_home, tmp_path, monkeypatch):
    import rag.engine as engine_mod
    from index.build import remove_document
    from index.embedding import load_embedder
    from rag.engine import Engine

    home = S.copy_home(seed_home, tmp_path / "home")
    old = S.index_state(home)
    victim = sorted(old["primary"])[0]                       # removing it renumbers every later chunk row
    remove_document(home, victim)
    new = S.index_state(home)["generation"]
    _point_current(home, old["generation"])
    engine = Engine(home, embedder=load_embedder(home))
    questions = [q["question"] for q in S.gold_questions() if q["split"] == "dev"][:8]
    expected = {q: S.answer_key(engine.ask(q).to_dict()) for q in questions}
    real_analyse = engine_mod.analyse
    rows = []
    for q in questions:
        _point_current(home, old["generation"])
        engine.snapshot()                                     # the request starts on the old generation

        def analyse_then_swap(*args, **kwargs):
            out = real_analyse(*args, **kwargs)
            _point_current(home, new)                         # a writer swaps right now
            return out
        monkeypatch.setattr(engine_mod, "analyse", analyse_then_swap)
        try:
            got = S.answer_key(engine.ask(q).to_dict())
            outcome = "same as old generation" if got == expected[q] else "MIXED"
        except Exception as exc:                              # noqa: BLE001 - recorded, then asserted
            outcome = f"error {type(exc).__name__}: {exc}"[:120]
        finally:
            monkeypatch.setattr(engine_mod, "analyse", real_analyse)
        rows.append({"question": q[:70], "outcome": outcome})
    S.record("consistency", swaps_injected_mid_request=len(rows),
             answers_mixing_two_generations_or_failing=sum(r["outcome"] != "same as old generation" for r in rows),
             cases=rows)
    bad = [r for r in rows if r["outcome"] != "same as old generation"]
    assert not bad, bad
