"""Schemathesis fuzzes every operation of the running server's /openapi.json (valid and
invalid requests, with and without the API key): zero server errors. Other schemathesis
findings (e.g. a status code the schema does not declare) are recorded in the report."""
from __future__ import annotations

import time
from collections import Counter

import pytest

from tests.reliability import _support as S

pytestmark = pytest.mark.slow

schemathesis = pytest.importorskip("schemathesis")


def test_schemathesis_every_operation_no_server_errors(main_server):
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis.errors import Unsatisfiable
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                                   status_code_conformance)

    schema = schemathesis.openapi.from_url(main_server.url + "/openapi.json")
    ops = [r.ok() for r in schema.get_all_operations()]
    assert len(ops) >= 9, [op.label for op in ops]
    with main_server.client() as c:
        seed_docs = {d["id"] for d in c.get("/api/documents").json()["documents"]}
    per_op = S.scaled(20, 6)
    cases, statuses, errors, findings = Counter(), Counter(), [], Counter()
    finding_examples: dict[str, str] = {}
    not_applicable: list[str] = []
    t0 = time.perf_counter()
    for op in ops:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @settings(max_examples=per_op, deadline=None, database=None, derandomize=True,
                      phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
            @given(case=op.as_strategy(generation_mode=mode))
            def fuzz(case):
                headers = {}
                doc = (case.path_parameters or {}).get("doc_id")
                if mode is GenerationMode.POSITIVE and not (case.method.upper() == "DELETE" and doc in seed_docs):
                    headers = main_server.admin()          # reach the write endpoints' real code
                try:
                    resp = case.call(base_url=main_server.url, headers=headers, timeout=120)
                except Exception as exc:                  # a transport error is a failure too
                    errors.append(f"{op.label} [{mode.value}]: {type(exc).__name__}: {exc}"[:300])
                    return
                cases[f"{op.label} [{mode.value}]"] += 1
                statuses[resp.status_code] += 1
                try:
                    case.validate_response(resp, checks=[not_a_server_error])
                except BaseException as exc:             # schemathesis raises an exception group
                    if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                        raise
                    errors.append(f"{op.label} [{mode.value}] → {resp.status_code}: {str(exc)[:300]}")
                for check in (status_code_conformance, content_type_conformance, response_schema_conformance):
                    try:
                        case.validate_response(resp, checks=[check])
                    except BaseException as exc:
                        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                            raise
                        key = f"{check.__name__}: {op.label} → {resp.status_code}"
                        findings[key] += 1
                        lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
                        finding_examples.setdefault(key, " ".join(lines[1:3])[:200])
            try:
                fuzz()
            except Unsatisfiable:        # e.g. no invalid request exists for an operation without inputs
                not_applicable.append(f"{op.label} [{mode.value}]")
    elapsed = time.perf_counter() - t0
    with main_server.client() as c:            # leave the shared index as it was
        for d in c.get("/api/documents").json()["documents"]:
            if d["id"] not in seed_docs:
                c.delete(f"/api/documents/{d['id']}", headers=main_server.admin())
        assert {d["id"] for d in c.get("/api/documents").json()["documents"]} == seed_docs
    S.index_state(main_server.home)
    total = sum(cases.values())
    S.record("fuzz", tool=f"schemathesis {schemathesis.__version__}", operations=len(ops),
             operations_list=[op.label for op in ops], examples_per_operation_and_mode=per_op,
             fuzz_cases=total, statuses={str(k): v for k, v in sorted(statuses.items())},
             server_errors_5xx=sum(v for k, v in statuses.items() if k >= 500), transport_errors=len(errors),
             duration_s=round(elapsed, 1), no_invalid_request_possible=not_applicable,
             schema_findings_not_failing={k: f"{v}× {finding_examples[k]}" for k, v in findings.most_common(12)})
    assert not errors, "\n".join(errors[:10])
    assert all(k < 500 for k in statuses), statuses
    assert all(any(k.startswith(op.label + " [") for k in cases) for op in ops), cases
