"""OpenAPI post-processing: document the error responses every operation can give.

Clients (and the schema fuzzing in the test suite) rely on the schema listing 400, 401,
403, 404 and 429 with their JSON shapes, not just the happy path.
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
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/{component}"}
                            }
                        },
                    },
                )
    return result


from drf_spectacular.openapi import AutoSchema  # noqa: E402


class StrictRequestSchema(AutoSchema):
    """Documents what StrictFieldsMixin enforces: request bodies take no unknown fields."""

    def _map_serializer(self, serializer, direction, bypass_extensions=False):
        result = super()._map_serializer(serializer, direction, bypass_extensions)
        if direction == "request":
            result["additionalProperties"] = False
        return result
