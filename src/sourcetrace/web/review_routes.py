"""Reviews over HTTP: the API endpoints and the pair page's form. Both need the service's write token.

The form sends the token as a field (a browser form cannot send an Authorization header); a request without the
right one changes nothing, which also keeps other sites from posting reviews on a reader's behalf.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from ..reviews import NOTE_CHARS, all_reviews, save_review
from ..store import Store
from .params import MAX_ID_CHARS

Verdict = Annotated[str, Field(pattern="^(confirmed|rejected)$")]


class ReviewIn(BaseModel):
    """A verdict on a stored pair: confirmed (it is reuse as shown) or rejected (it is not)."""

    model_config = ConfigDict(extra="forbid")

    a: str = Field(min_length=1, max_length=MAX_ID_CHARS)
    b: str = Field(min_length=1, max_length=MAX_ID_CHARS)
    verdict: Verdict
    note: str = Field(default="", max_length=NOTE_CHARS)


def token_matches(given: str, token: str | None) -> bool:
    return token is not None and hmac.compare_digest(given.strip().encode("utf-8"), token.encode("utf-8"))


def add_review_routes(
    app: FastAPI,
    store: Store,
    token: str | None,
    require_token: Callable[[Request], None],
    nfc: Callable[[str], str],
    errors: dict[int | str, dict[str, Any]],
) -> None:
    @app.get("/api/reviews", tags=["reviews"])
    def list_reviews() -> dict[str, Any]:
        """Every review, newest first: the verdicts readers gave on pairs, with their notes."""
        items = [r.as_dict() for r in all_reviews(store).values()]
        return {"items": items, "total": len(items)}

    @app.post("/api/reviews", tags=["reviews"], dependencies=[Depends(require_token)], responses=errors)
    def post_review(body: ReviewIn) -> dict[str, Any]:
        """Confirm or reject a stored pair, with an optional note; replaces an earlier review; needs the token."""
        return save_review(store, nfc(body.a), nfc(body.b), body.verdict, body.note).as_dict()

    @app.post("/pair/review", include_in_schema=False)
    def review_form(
        request: Request,
        a: Annotated[str, Form(max_length=MAX_ID_CHARS)],
        b: Annotated[str, Form(max_length=MAX_ID_CHARS)],
        verdict: Annotated[str, Form(pattern="^(confirmed|rejected)$")],
        note: Annotated[str, Form(max_length=NOTE_CHARS)] = "",
        token_field: Annotated[str, Form(alias="token", max_length=1000)] = "",
    ) -> Response:
        root = request.scope.get("root_path", "")
        back = f"{root}/pair?a={quote(a, safe='')}&b={quote(b, safe='')}"
        if not token_matches(token_field, token):
            return RedirectResponse(back + "&review=refused#review", status_code=303)
        save_review(store, nfc(a), nfc(b), verdict, note)
        return RedirectResponse(back + "&review=saved#review", status_code=303)
