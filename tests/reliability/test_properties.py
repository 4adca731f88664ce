"""The hypothesis property tests of the parser and the normalizer, reused (not duplicated)
from tests/test_parse_properties.py so that `make check-reliability` runs them too."""
from __future__ import annotations

import pytest

from tests import test_parse_properties as props
from tests.reliability import _support as S

pytestmark = pytest.mark.slow

PROPERTY_TESTS = [props.test_parse_text_never_raises_and_keeps_spans, props.test_normalize_is_idempotent,
                  props.test_fold_keeps_length_of_normalized_text]


@pytest.mark.parametrize("prop", PROPERTY_TESTS, ids=lambda f: f.__name__)
def test_property(prop):
    prop()                               # a @given test runs all its examples when called
    n = prop._hypothesis_internal_use_settings.max_examples
    S.record("properties", **{prop.__name__: f"passed, up to {n} generated examples"})
    S.bump("properties", "property_examples_max", n)
