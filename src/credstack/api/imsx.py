"""Errors of the 1EdTech APIs in the specs' Imsx_StatusInfo shape (OB 3.0 / CLR 2.0 §B).

The composition root sends every error under `/ims/` here instead of credstack's own
`{"error", "detail"}` shape; a 401 also carries `WWW-Authenticate: Bearer` (RFC 6750).
"""

from __future__ import annotations

from fastapi.responses import JSONResponse

__all__ = ["IMS_PREFIX", "imsx_response"]

IMS_PREFIX = "/ims/"
_MINOR = {
    400: "invalid_query_parameter",
    401: "unauthorizedrequest",
    403: "forbidden",
    404: "not_found",
    405: "not_allowed",
    413: "invalid_data",
    422: "invalid_data",
    429: "server_busy",
    503: "server_busy",
}


def imsx_response(
    status: int, description: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    """`status` as the spec's error object; credstack's 422 (bad input) is the spec's 400."""
    answered = 400 if status == 422 else status
    body = {
        "imsx_codeMajor": "failure",
        "imsx_severity": "error",
        "imsx_description": description,
        "imsx_codeMinor": {
            "imsx_codeMinorField": [
                {
                    "imsx_codeMinorFieldName": "TargetEndSystem",
                    "imsx_codeMinorFieldValue": _MINOR.get(answered, "unknown"),
                }
            ]
        },
    }
    extra = dict(headers or {})
    if answered == 401:
        extra.setdefault("WWW-Authenticate", 'Bearer realm="credstack"')
    return JSONResponse(status_code=answered, content=body, headers=extra)
