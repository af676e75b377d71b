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
    },
}
RATING_STORED = {"type": "object", "required": ["id", "status"], "properties": {
    "id": {"type": "integer"}, "status": {"type": "string", "enum": ["accepted", "quarantined"]},
    "replaced": {"type": "boolean"}, "period": {"type": "integer"}}}


def _json(schema, description="OK"):
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def openapi_document() -> dict:
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
                     "description": "Name of the municipality or one of its villages, Kyrgyz, Russian or Latin spelling."},
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
                        "items": {"type": "array", "items": _ref("Municipality")},
                        "total": {"type": "integer"}, "limit": {"type": "integer"}, "offset": {"type": "integer"},
                        "registry_vintage": {"type": "string"}}}),
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
            "/catalog": {"get": {
                "summary": "Subjects, citizen criteria, state indicators, budget transparency checklist, agencies",
                "responses": {"200": _json({"type": "object", "required": ["subjects", "criteria", "indicators", "checklist"],
                                            "properties": {k: {"type": "array", "items": {"type": "object"}}
                                                           for k in ("subjects", "criteria", "indicators", "checklist", "agencies")}})},
            }},
        },
        "components": {"schemas": {"Municipality": MUNICIPALITY, "Village": VILLAGE, "Error": ERROR,
                                   "RatingInput": RATING_INPUT, "RatingStored": RATING_STORED}},
    }
