"""One exception family for the whole product. Each error carries its HTTP status and a
bilingual message; the API turns it into ``{"error", "detail"}`` JSON and the CLI into a
message plus a non-zero exit code."""
from __future__ import annotations


class PlanQAError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, detail: str | None = None):
        super().__init__(message)
        self.message = message
        self.detail = detail or ""


class UnsupportedFile(PlanQAError):
    status = 415
    code = "unsupported_file"


class EmptyDocument(PlanQAError):
    status = 422
    code = "empty_document"


class TooLarge(PlanQAError):
    status = 413
    code = "too_large"


class BadQuestion(PlanQAError):
    status = 422
    code = "bad_question"


class NotFound(PlanQAError):
    status = 404
    code = "not_found"


class Unauthorized(PlanQAError):
    status = 401
    code = "unauthorized"


class Forbidden(PlanQAError):
    status = 403
    code = "forbidden"


class Conflict(PlanQAError):
    status = 409
    code = "conflict"


class IndexMissing(PlanQAError):
    status = 503
    code = "index_missing"


class IndexMismatch(PlanQAError):
    status = 503
    code = "index_mismatch"


class StorageError(PlanQAError):
    status = 507
    code = "storage_error"
