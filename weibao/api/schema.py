"""OpenAPI post-processing: document the error responses every operation can give, and
say the same thing the same way everywhere.

Clients (and the schema fuzzing in the test suite) rely on the schema listing 400, 401,
403, 404, 405, 415 and 429 with their JSON shapes, not just the happy path. Generated
clients and validators that do not check formats rely on one type per value: a path
``{id}`` is an integer on every path, and "an e-mail address or empty" is ``anyOf`` (with
``oneOf`` an empty string matches both branches when formats are not checked, and fails).
"""

ERROR_COMPONENTS = {
    "ErrorDetail": {
        "type": "object",
        "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
        "required": ["detail"],
    },
    "ValidationErrors": {
        "type": "object",
        "description": "One list of messages per field, in the caller's language.",
        "additionalProperties": {
            "oneOf": [
                {"type": "array", "items": {"type": "string"}},
                {"type": "string"},
                {"type": "object"},
            ]
        },
    },
}

ERROR_RESPONSES = {
    "400": ("ValidationErrors", "Invalid input: messages per field"),
    "401": ("ErrorDetail", "Not authenticated"),
    "403": ("ErrorDetail", "Not allowed"),
    "404": ("ErrorDetail", "Not found (or not visible to the caller)"),
    "429": ("ErrorDetail", "Too many requests"),
    # DRF answers so before the view runs: a method the operation's path does not take
    # (the Allow header lists those it does), a body that is not JSON or a form.
    "405": ("ErrorDetail", "Method not allowed here (see the Allow header)"),
}
UNSUPPORTED_MEDIA_TYPE = ("415", "ErrorDetail", "Unsupported Content-Type of the request body")


def _error(component: str, description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
    }


def add_error_responses(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(ERROR_COMPONENTS)
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for status, (component, description) in ERROR_RESPONSES.items():
                responses.setdefault(status, _error(component, description))
            if "requestBody" in operation:
                status, component, description = UNSUPPORTED_MEDIA_TYPE
                responses.setdefault(status, _error(component, description))
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path" and parameter.get("name") == "id":
                    # Routed by a digits-only pattern: an integer, as on every other path.
                    parameter["schema"] = {"type": "integer", "minimum": 1}
    _string_alternatives_as_any_of(result)
    _blank_defaults_allowed(schemas)
    return result


def _blank_defaults_allowed(schemas: dict) -> None:
    """A choice that may be left empty (``default: ""``) while its named choice set has no
    empty member: say "one of the choices, or empty", so the default is a valid value."""
    for component in schemas.values():
        for prop in (component.get("properties") or {}).values():
            refs = prop.get("allOf")
            if not (isinstance(refs, list) and len(refs) == 1 and "$ref" in refs[0]):
                continue
            target = schemas.get(refs[0]["$ref"].rsplit("/", 1)[-1], {})
            if "default" in prop and "enum" in target and prop["default"] not in target["enum"]:
                prop["anyOf"] = [prop.pop("allOf")[0], {"type": "string", "enum": [prop["default"]]}]


def _string_alternatives_as_any_of(node) -> None:
    """``oneOf`` whose branches are all strings (an e-mail address or empty, from a blank
    EmailField) becomes ``anyOf``: the value may match both, which is fine."""
    if isinstance(node, dict):
        branches = node.get("oneOf")
        if isinstance(branches, list) and branches and all(
            isinstance(b, dict) and b.get("type") == "string" for b in branches
        ):
            node["anyOf"] = node.pop("oneOf")
        for value in node.values():
            _string_alternatives_as_any_of(value)
    elif isinstance(node, list):
        for value in node:
            _string_alternatives_as_any_of(value)


from drf_spectacular.openapi import AutoSchema  # noqa: E402


class StrictRequestSchema(AutoSchema):
    """Documents what StrictFieldsMixin enforces: request bodies take no unknown fields."""

    def _map_serializer(self, serializer, direction, bypass_extensions=False):
        result = super()._map_serializer(serializer, direction, bypass_extensions)
        if direction == "request":
            result["additionalProperties"] = False
        return result
