"""A file a person uploads from a page's form, read within a bound.

A page's upload is a multipart form: the file, the CSRF token, a checkbox or two. Parsing it
with `Form()` parameters would read whatever the client sends before any check, so upload
routes take the request and call `read_upload`: a declared length past the bound is refused
unread, the body is counted as it arrives (a chunked body declares nothing), the parser keeps
large parts on disk rather than in memory, and only the file's first `limit` bytes are read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fastapi import Request
from starlette.datastructures import UploadFile

from credstack.errors import InvalidInput, TooLarge
from credstack.http.bodies import counted, refuse_declared
from credstack.limits import MAX_FORM_FIELD_BYTES, MAX_FORM_FIELDS, MAX_FORM_OVERHEAD_BYTES

__all__ = ["Upload", "read_upload"]


@dataclass(frozen=True)
class Upload:
    filename: str
    text: str
    fields: Mapping[str, str]
    """The form's other fields (the CSRF token, options)."""


def _too_large(limit: int) -> TooLarge:
    return TooLarge(f"the file is larger than {limit // (1024 * 1024)} MiB; split it")


async def read_upload(request: Request, *, limit: int, field: str = "file") -> Upload:
    """The form's file as UTF-8 text and its other fields; `TooLarge` past `limit` bytes."""
    bound = limit + MAX_FORM_OVERHEAD_BYTES
    refuse_declared(request, bound, lambda: _too_large(limit))
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise InvalidInput("send the file with the page's upload form")
    form = await counted(request, bound, lambda: _too_large(limit)).form(
        max_files=1, max_fields=MAX_FORM_FIELDS, max_part_size=MAX_FORM_FIELD_BYTES
    )
    try:
        upload = form.get(field)
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InvalidInput("choose a CSV file to upload")
        data = await upload.read(limit + 1)
        if len(data) > limit:
            raise _too_large(limit)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            named = upload.filename
            raise InvalidInput(f"{named} is not UTF-8 text: save it as CSV UTF-8") from None
        fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
        return Upload(upload.filename, text, fields)
    finally:
        await form.close()
