"""The OpenAPI 3.1 description of /api/v1. Grows with every endpoint."""

LANG_PARAM = {"name": "lang", "in": "query", "required": False,
              "description": "Language of error messages (default: Accept-Language, then Kyrgyz).",
              "schema": {"type": "string", "enum": ["ky", "ru"]}}

ERROR = {
    "type": "object", "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "string", "description": "Machine-readable error code."},
        "message": {"type": "string", "description": "Human-readable message in the requested language."},
        "field": {"type": "string"}}}},
}

MUNICIPALITY = {
    "type": "object",
    "required": ["code", "name_ky", "name_ru", "kind", "region_code", "district_code"],
    "properties": {
        "code": {"type": "string", "pattern": "^417[0-9]{11}$", "description": "SOATE code"},
        "name_ky": {"type": "string"}, "name_ru": {"type": "string"},
        "short_name_ky": {"type": "string"}, "short_name_ru": {"type": "string"},
        "kind": {"type": "string", "enum": ["aiyl_aimak", "city"]},
        "region_code": {"type": "string"}, "district_code": {"type": ["string", "null"]},
        "population": {"type": ["integer", "null"]},
        "name_ky_derived": {"type": "boolean", "description": "The Kyrgyz name was derived by rule, not taken from a Kyrgyz source."},
        "valid_from": {"type": ["string", "null"], "format": "date"},
        "valid_to": {"type": ["string", "null"], "format": "date"},
        "successor_code": {"type": ["string", "null"]},
    },
}

VILLAGE = {"type": "object", "required": ["code", "name_ky", "name_ru"], "properties": {
    "code": {"type": "string"}, "name_ky": {"type": "string"}, "name_ru": {"type": "string"},
    "name_ky_derived": {"type": "boolean"}}}


SCORE = {"type": "integer", "minimum": 1, "maximum": 5}
RATING_INPUT = {
    "type": "object", "required": ["municipality", "subject", "overall"], "additionalProperties": False,
    "properties": {
        "municipality": {"type": "string", "description": "SOATE code"},
        "subject": {"type": "string", "description": "Code of a local issue or municipal service (not a delegated power)"},
        "overall": SCORE,
        "criteria": {"type": "object", "additionalProperties": {"oneOf": [SCORE, {"type": "null"}]},
                     "description": "Criterion code → 1..5; null or absent for \"don't know\""},
        "comment": {"type": ["string", "null"], "maxLength": 1000},
        "sex": {"type": ["string", "null"], "enum": ["female", "male", None]},
        "age_band": {"type": ["string", "null"], "enum": ["under_18", "18_29", "30_44", "45_59", "60_plus", None]},
        "village": {"type": ["string", "null"], "description": "SOATE code of a village of this municipality"},
        "client_id": {"type": ["string", "null"], "minLength": 8, "maxLength": 64, "description": "Idempotency key"},
        "channel": {"type": ["string", "null"], "enum": ["web", "offline_web", None],
                    "description": "offline_web: sent by the page's offline queue (default web)"},
    },
}
RATING_STORED = {"type": "object", "required": ["id", "status"], "properties": {
    "id": {"type": "integer"}, "status": {"type": "string", "enum": ["accepted", "quarantined"]},
    "replaced": {"type": "boolean"}, "period": {"type": "integer"}}}


NULLABLE_NUMBER = {"type": ["number", "null"]}
INTERVAL = {"type": ["array", "null"], "items": {"type": "number"}, "minItems": 2, "maxItems": 2,
            "description": "[low, high] on the 0–100 scale"}
REASON = {"type": ["string", "null"], "enum": ["not_enough_ratings", "no_final_evaluations", "not_available_yet",
                                               "no_track_published", "not_assessed", None],
          "description": "Why index is null"}
TRACK = {"type": "object", "required": ["index", "interval", "reason"],
         "properties": {"index": NULLABLE_NUMBER, "interval": INTERVAL, "reason": REASON}}
SCORECARD = {
    "type": "object",
    "required": ["municipality", "period", "methodology_version", "citizen", "state", "budget_transparency",
                 "responsiveness", "composite"],
    "properties": {
        "municipality": {"type": "object", "required": ["code", "name_ky", "name_ru", "kind"]},
        "period": {"type": "integer"},
        "methodology_version": {"type": "integer"},
        "verified_only": {"type": "boolean"},
        "channel": {"type": "string", "enum": ["web", "offline_web", "sms", "assisted"],
                    "description": "Present only when ?channel= asked for one channel's ratings."},
        "channels": {"type": "object", "description": "Ratings by channel (web, offline_web, sms, assisted): "
                     "n accepted, plain mean of overall, n_quarantined",
                     "additionalProperties": {"type": "object", "properties": {
                         "n": {"type": "integer"}, "mean": {"type": ["number", "null"]}, "n_quarantined": {"type": "integer"}}}},
        "min_sample": {"type": "integer"},
        "confidence": {"type": "number"},
        "peer_group": {"type": "object", "properties": {"kind": {"type": "string"}, "population_band": {"type": "string"}}},
        "citizen": {"allOf": [TRACK, {"type": "object", "required": ["n", "subjects"], "properties": {
            "n": {"type": "integer", "description": "Accepted ratings (verified only when verified=1)"},
            "mean": NULLABLE_NUMBER, "n_accepted": {"type": "integer"}, "n_verified": {"type": "integer"},
            "verified_share": NULLABLE_NUMBER, "n_quarantined": {"type": "integer"},
            "weighting": {"type": "string", "enum": ["ratings", "equal"]},
            "subjects": {"type": "array", "items": {"type": "object", "required": ["code", "n", "mean", "index", "published"],
                                                   "properties": {"code": {"type": "string"}, "n": {"type": "integer"},
                                                                  "mean": NULLABLE_NUMBER, "index": NULLABLE_NUMBER,
                                                                  "interval": INTERVAL, "published": {"type": "boolean"},
                                                                  "raw_index": NULLABLE_NUMBER,
                                                                  "shrinkage_weight": NULLABLE_NUMBER,
                                                                  "n_quarantined": {"type": "integer"},
                                                                  "distribution": {"type": "array", "items": {"type": "integer"}}}}},
            "criteria": {"type": "array", "items": {"type": "object"}},
            "trend": {"type": ["object", "null"]}}}]},
        "state": {"allOf": [TRACK, {"type": "object", "properties": {"powers": {"type": "array", "items": {
            "type": "object", "properties": {"code": {"type": "string"}, "agency": {"type": "string"},
                                             "index": NULLABLE_NUMBER,
                                             "state_support_index": {
                                                 **NULLABLE_NUMBER,
                                                 "description": "Funding and methodological support: the state's part, "
                                                                "never in the LSG's index"},
                                             "indicators": {"type": "array", "items": {"type": "object"}}}}}}}]},
        "budget_transparency": {"allOf": [TRACK, {"type": "object", "description": (
            "From a FINAL monitor assessment only (else index null, reason not_assessed — never 0): area scores "
            "(weighted yes 100 / partial 50 / no 0, n/a left out) and their mean; items with answers, evidence, the "
            "LSG's replies and the peer review."), "properties": {
            "n": {"type": "integer", "description": "Items answered yes, partly or no"},
            "areas": {"type": "array", "items": {"type": "object"}},
            "disagreements": {"type": "integer"},
            "items": {"type": "array", "items": {"type": "object", "properties": {
                "code": {"type": "string"}, "area": {"type": "integer"}, "weight": {"type": "integer"},
                "answer": {"type": ["string", "null"], "enum": ["yes", "partial", "no", "na", None]},
                "evidence": {"type": "array", "items": {"type": "object"}},
                "replies": {"type": "array", "items": {"type": "object"}},
                "review": {"type": ["object", "null"]}}}}}}]},
        "budget_priorities": {"type": "object", "description": (
            "Residents' choice of up to three local issues next year's budget should fund first: per issue the count "
            "and share naming it, and putting it first, with Wilson intervals on shares (0–1); items empty below "
            "min_sample accepted submissions."), "properties": {
            "n": {"type": "integer"}, "n_quarantined": {"type": "integer"}, "published": {"type": "boolean"},
            "items": {"type": "array", "items": {"type": "object"}}}},
        "responsiveness": TRACK,
        "composite": {"allOf": [TRACK, {"type": "object", "properties": {
            "components": {"type": "array", "items": {"type": "object", "properties": {
                "track": {"type": "string"}, "weight": {"type": "number"}, "index": {"type": "number"}}}},
            "missing": {"type": "array", "items": {"type": "string"}}}}]},
        "position": {"type": "object", "description": "Tier within the region and the peer group (null below the minimum sample)"},
    },
}
COMPARE_ROW = {"type": "object", "required": ["code", "name_ky", "name_ru", "citizen_index", "tier"], "properties": {
    "code": {"type": "string"}, "level": {"type": "string"}, "name_ky": {"type": "string"}, "name_ru": {"type": "string"},
    "municipalities": {"type": "integer"}, "published": {"type": "integer"}, "n": {"type": "integer"},
    "n_quarantined": {"type": "integer"}, "citizen_index": NULLABLE_NUMBER, "citizen_interval": INTERVAL,
    "state_index": NULLABLE_NUMBER, "state_evaluated": {"type": "integer"}, "composite_index": NULLABLE_NUMBER,
    "budget_transparency_index": NULLABLE_NUMBER, "budget_transparency_assessed": {"type": "integer"},
    "tier": {"type": ["integer", "null"]}, "reason": REASON}}


def _json(schema, description="OK"):
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def openapi_document() -> dict:
    document = _document()
    for operations in document["paths"].values():
        for operation in operations.values():
            operation.setdefault("parameters", [])
            if LANG_PARAM not in operation["parameters"]:
                operation["parameters"].append(LANG_PARAM)
            operation["responses"].setdefault("400", _json(_ref("Error"), "Invalid parameter"))
            operation["responses"]["503"] = {**_json(_ref("Error"), "Temporarily unavailable (the database); retry later"),
                                             "headers": {"Retry-After": {"schema": {"type": "integer"},
                                                                         "description": "Seconds to wait"}}}
    return document


def _document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Local self-government feedback API", "version": "1.0.0",
                 "description": "Open data on Kyrgyzstan's local self-government units, the catalog of rated "
                                "services, and citizen ratings. Territorial registry: SOATE about 2021."},
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/municipalities": {"get": {
                "summary": "List or search municipalities (aiyl aimaks and cities)",
                "parameters": [
                    {"name": "q", "in": "query", "schema": {"type": "string"},
                     "description": "Name of the municipality or one of its villages (optionally with its district), "
                                    "Kyrgyz, Russian or Latin spelling, typos tolerated. Results are ranked best "
                                    "first (the search page's ranking); each item then has `match`."},
                    {"name": "region", "in": "query", "schema": {"type": "string"}},
                    {"name": "district", "in": "query", "schema": {"type": "string"}},
                    {"name": "kind", "in": "query", "schema": {"type": "string", "enum": ["aiyl_aimak", "city"]}},
                    {"name": "current", "in": "query", "schema": {"type": "boolean", "default": True},
                     "description": "Only units in force (false: also merged or abolished ones)."},
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 500}},
                    {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}},
                    LANG_PARAM,
                ],
                "responses": {
                    "200": _json({"type": "object", "required": ["items", "total"], "properties": {
                        "items": {"type": "array", "items": {"allOf": [_ref("Municipality"), {
                            "type": "object", "properties": {"match": {
                                "type": "object", "description": "With q: found by its own name or a village's",
                                "properties": {"by": {"type": "string", "enum": ["name", "village"]},
                                               "village": {"type": "object"}}}}}]}},
                        "total": {"type": "integer"}, "limit": {"type": "integer"}, "offset": {"type": "integer"},
                        "registry_vintage": {"type": "string"},
                        "did_you_mean": {"type": "array", "items": {"type": "string"},
                                         "description": "With q and no result: the nearest names"}}}),
                    "400": _json(_ref("Error"), "Invalid parameter"),
                },
            }},
            "/municipalities/{code}": {"get": {
                "summary": "One municipality with its villages",
                "parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}, LANG_PARAM],
                "responses": {
                    "200": _json({"allOf": [_ref("Municipality"), {"type": "object", "properties": {
                        "villages": {"type": "array", "items": _ref("Village")}}}]}),
                    "404": _json(_ref("Error"), "Unknown code"),
                },
            }},
            "/ratings": {"post": {
                "summary": "Submit a citizen rating (one per respondent, municipality, subject and year; a repeat replaces it)",
                "description": "No CSRF token: browsers must send an Origin of this site (an offline queue may send "
                               "the rating later). client_id is an idempotency key: the same key twice stores once.",
                "parameters": [LANG_PARAM],
                "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("RatingInput")}}},
                "responses": {
                    "201": _json(_ref("RatingStored"), "Stored"),
                    "200": _json(_ref("RatingStored"), "Already stored under this client_id; nothing changed"),
                    "400": _json(_ref("Error"), "Invalid input or malformed JSON"),
                    "403": _json(_ref("Error"), "Sent from another site"),
                    "404": _json(_ref("Error"), "Unknown municipality or subject"),
                    "409": _json(_ref("Error"), "Submitted twice at once"),
                    "415": _json(_ref("Error"), "Not JSON"),
                    "422": _json(_ref("Error"), "A subject residents do not rate here (delegated powers, not applicable)"),
                    "429": _json(_ref("Error"), "Too many requests"),
                },
            }},
            "/budget-priorities": {"post": {
                "summary": "A resident names up to three local issues next year's budget should fund first",
                "description": "Same origin and respondent cookie as /ratings and the same anti-abuse rules; one "
                               "choice per respondent, municipality and year — a repeat replaces it.",
                "parameters": [LANG_PARAM],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["municipality", "issues"], "properties": {
                        "municipality": {"type": "string"},
                        "issues": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 3}}}}}},
                "responses": {
                    "201": _json({"type": "object"}, "Stored"), "200": _json({"type": "object"}, "Replaced the earlier choice"),
                    "400": _json(_ref("Error"), "Malformed JSON or unknown field"),
                    "403": _json(_ref("Error"), "Sent from another site"),
                    "404": _json(_ref("Error"), "Unknown municipality"),
                    "422": _json(_ref("Error"), "Not 1–3 distinct local issues of this municipality"),
                },
            }},
            "/municipalities/{code}/answers": {"get": {
                "summary": "The local government's public answers to residents' comments, promised actions and commitments",
                "description": "Newest first (at most 100; answers withdrawn by the local government are not listed): "
                               "the answer, its language, when it was last corrected (edited_at), the comments it answers, the "
                               "promised action with its due date and status (promised, done, overdue), and residents' "
                               "judgements (helpful, done) as counts.",
                "parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "Answers",
                                      "content": {"application/json": {"schema": {"type": "object"}}}},
                              "404": _json(_ref("Error"), "Unknown municipality")},
            }},
            "/municipalities/{code}/scorecard": {"get": {
                "summary": "A municipality's scorecard for one period (citizen and state tracks, composite)",
                "description": "Indices are 0–100; an index is null with a reason when it cannot be published (fewer "
                               "accepted ratings than the methodology's minimum sample, no final state evaluation, a "
                               "track not assessed yet). n counts accepted ratings; mean is the plain mean of their "
                               "overall scores (1–5) before any adjustment; index is shrunk toward the peer group. "
                               "Methodology: /<lang>/methodology.",
                "parameters": [
                    {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "period", "in": "query", "schema": {"type": "integer"}, "description": "Year (default: the current one)."},
                    {"name": "methodology", "in": "query", "schema": {"type": "integer", "minimum": 1},
                     "description": "Methodology version to compute with (default: the newest)."},
                    {"name": "verified", "in": "query", "schema": {"type": "string", "enum": ["0", "1"]},
                     "description": "1: count only ratings from verified phone numbers."},
                    {"name": "channel", "in": "query",
                     "schema": {"type": "string", "enum": ["web", "offline_web", "sms", "paper", "assisted"]},
                     "description": "Only the ratings that came by this channel (paper = assisted: questionnaires "
                                    "entered by monitors): n, mean, distribution and subjects of that channel; the "
                                    "index is its own direct estimate (version 2: no position among peers); no "
                                    "criteria. Absent: all channels."},
                    LANG_PARAM,
                ],
                "responses": {
                    "200": _json(_ref("Scorecard")),
                    "400": _json(_ref("Error"), "Invalid parameter"),
                    "404": _json(_ref("Error"), "Unknown municipality or methodology version"),
                },
            }},
            "/compare": {"get": {
                "summary": "One row per region or district: citizen, state and composite index with tiers",
                "parameters": [
                    {"name": "level", "in": "query", "schema": {"type": "string", "enum": ["region", "district"], "default": "region"}},
                    {"name": "period", "in": "query", "schema": {"type": "integer"}},
                    {"name": "methodology", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                    {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["json", "csv", "xlsx"], "default": "json"},
                     "description": "csv / xlsx: the same rows as a table (a machine header row, then one in the "
                                    "requested language; XLSX adds a sheet naming methodology version and period)."},
                    LANG_PARAM,
                ],
                "responses": {
                    "200": {"description": "OK", "content": {
                        "application/json": {"schema": {
                            "type": "object", "required": ["level", "period", "methodology_version", "items"],
                            "properties": {"level": {"type": "string"}, "period": {"type": "integer"},
                                           "methodology_version": {"type": "integer"},
                                           "items": {"type": "array", "items": _ref("CompareRow")}}}},
                        "text/csv": {"schema": {"type": "string"}},
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                            "schema": {"type": "string", "contentMediaType": "application/octet-stream"}}}},
                    "400": _json(_ref("Error"), "Invalid parameter"),
                    "404": _json(_ref("Error"), "Unknown methodology version"),
                },
            }},
            "/catalog": {"get": {
                "summary": "Subjects, citizen criteria, state indicators, budget transparency checklist, agencies",
                "responses": {"200": _json({"type": "object", "required": ["subjects", "criteria", "indicators", "checklist"],
                                            "properties": {k: {"type": "array", "items": {"type": "object"}}
                                                           for k in ("subjects", "criteria", "indicators", "checklist", "agencies")}})},
            }},
        },
        "components": {"schemas": {"Municipality": MUNICIPALITY, "Village": VILLAGE, "Error": ERROR,
                                   "RatingInput": RATING_INPUT, "RatingStored": RATING_STORED,
                                   "Scorecard": SCORECARD, "CompareRow": COMPARE_ROW}},
    }
