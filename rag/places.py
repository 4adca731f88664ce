"""Vietnamese place names, from the administrative gazetteer underthesea ships
(``underthesea/address/data/mapping.json``: provinces, districts and wards before and after
the 2025 merger), folded and without their "Tỉnh / Huyện / Xã / Phường …" prefix."""
from __future__ import annotations

import json
import re
from functools import lru_cache

from index import text as vt
from rag.packaged import underthesea_data

_PREFIX = re.compile(r"^(?:tinh|thanh pho|quan|huyen|thi xa|thi tran|xa|phuong|dac khu)\s+")


@lru_cache(maxsize=1)
def place_names() -> frozenset[str]:
    """Folded names of every province, district and ward ("cua lo", "do luong", "nghia dan")."""
    data = json.loads(underthesea_data("address", "data", "mapping.json").read_text(encoding="utf-8"))
    names = set()
    for row in data.get("ward_mapping", []):
        for key in ("old_province", "old_district", "old_ward", "new_province", "new_ward"):
            name = " ".join(vt.syllables(vt.fold(row.get(key) or "")))
            name = _PREFIX.sub("", name)
            if name and not name.isdigit():
                names.add(name)
    return frozenset(names)


__all__ = ["place_names"]
