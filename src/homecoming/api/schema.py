"""The OpenAPI schema of the API (drf-spectacular), with the error answers of every operation.

Why here and not on each view: every operation can answer 401 and 403, every one with a body or
query parameters 400, every one about a record 404, all in the one error shape
(``homecoming.api.errors.ErrorSerializer``). Stating that once keeps the schema complete when a
view is added; an operation declares only what is its own (a 409, a typed 200).
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

from .errors import ErrorSerializer

DESCRIPTIONS = {
    "400": "The request is not valid: ``errors`` names each field; nothing was changed.",
    "401": "Not signed in (no token, or a token that is no longer valid).",
    "403": "Your role does not allow this.",
    "404": "No such record.",
    "409": "The record changed meanwhile, or the step was already taken; nothing was changed.",
}


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = ["401", "403"]
        if self.method in ("POST", "PUT", "PATCH") or self._get_parameters():
            codes.append("400")
        if "{" in self.path or self._is_list_view():  # a record, or a page past the last
            codes.append("404")
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(ErrorSerializer, code, direction=direction)
        for code, response in responses.items():
            if code in DESCRIPTIONS and response.get("description") in ("", None):
                response["description"] = DESCRIPTIONS[code]
        return responses
