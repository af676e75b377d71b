"""JSON shapes of the API (the contract in PRODUCT.md)."""


def municipality_json(m) -> dict:
    return {
        "code": m.code, "name_ky": m.name_ky, "name_ru": m.name_ru,
        "short_name_ky": m.short_name_ky, "short_name_ru": m.short_name_ru, "kind": m.kind,
        "region_code": m.region_code, "district_code": m.district_code, "population": m.population,
        "name_ky_derived": m.name_ky_derived,
        "valid_from": m.valid_from.isoformat() if m.valid_from else None,
        "valid_to": m.valid_to.isoformat() if m.valid_to else None,
        "successor_code": m.successor_code,
    }


def village_json(v) -> dict:
    return {"code": v.code, "name_ky": v.name_ky, "name_ru": v.name_ru, "name_ky_derived": v.name_ky_derived}


def _bilingual(obj, *fields) -> dict:
    out = {"code": obj.code}
    for f in fields:
        out[f"{f}_ky"] = getattr(obj, f"{f}_ky")
        out[f"{f}_ru"] = getattr(obj, f"{f}_ru")
    return out


def catalog_json(catalog) -> dict:
    return {
        "subjects": [
            {**_bilingual(s, "name", "description"), "kind": s.kind, "applies_to": s.applies_to,
             "agency": s.agency_code, "retired": s.retired}
            for s in catalog.subjects
        ],
        "criteria": [
            {**_bilingual(c, "name", "question"), "applies_to": c.applies_to,
             "levels": [{"level": lv.level, "description_ky": lv.description_ky, "description_ru": lv.description_ru}
                        for lv in c.levels]}
            for c in catalog.criteria
        ],
        "indicators": [
            {**_bilingual(i, "name", "description"), "scale": i.scale,
             "counts_toward_lsg_score": i.counts_toward_lsg_score}
            for i in catalog.indicators
        ],
        "checklist": [
            {**_bilingual(t, "name", "evidence_hint"), "area": t.area, "answer_scale": t.answer_scale, "weight": t.weight}
            for t in catalog.checklist
        ],
        "agencies": [_bilingual(a, "name", "short") for a in catalog.agencies],
    }
