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
            "/catalog": {"get": {
                "summary": "Subjects, citizen criteria, state indicators, budget transparency checklist, agencies",
                "responses": {"200": _json({"type": "object", "required": ["subjects", "criteria", "indicators", "checklist"],
                                            "properties": {k: {"type": "array", "items": {"type": "object"}}
                                                           for k in ("subjects", "criteria", "indicators", "checklist", "agencies")}})},
            }},
        },
        "components": {"schemas": {"Municipality": MUNICIPALITY, "Village": VILLAGE, "Error": ERROR}},
    }
