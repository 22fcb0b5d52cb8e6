"""Every bound on what a stranger may hand credstack, in one place and named by its meaning.

Verification is open to anyone, so each input has a ceiling that follows from what it is
(an Ed25519 signature is 64 bytes; a credential names a handful of contexts; a certificate
has a few pages). A bound is checked before the work it protects, so hostile input costs a
length comparison rather than seconds of CPU. The numbers are generous for real documents
and far below what would make one request freeze the server; docs/security.md lists them.
"""

from __future__ import annotations

__all__ = [
    "BODY_TIMEOUT_SECONDS",
    "DID_WEB_TIMEOUT_SECONDS",
    "MAX_AWARD_IMPORT_BYTES",
    "MAX_AWARD_IMPORT_ROWS",
    "MAX_BASE58_CHARS",
    "MAX_CATALOG_ACHIEVEMENTS",
    "MAX_CATALOG_BYTES",
    "MAX_CHALLENGE_CHARS",
    "MAX_CONTEXTS",
    "MAX_CREDENTIAL_BYTES",
    "MAX_CSV_FIELD_BYTES",
    "MAX_DECISION_REASON_CHARS",
    "MAX_DID_CHARS",
    "MAX_DID_DOCUMENT_BYTES",
    "MAX_FORM_FIELDS",
    "MAX_FORM_FIELD_BYTES",
    "MAX_FORM_OVERHEAD_BYTES",
    "MAX_FORM_PART_HEADER_BYTES",
    "MAX_GROUP_BYTES",
    "MAX_GROUP_CREDENTIALS",
    "MAX_IMPORT_BYTES",
    "MAX_IMPORT_NARRATIVE_CHARS",
    "MAX_JSON_DEPTH",
    "MAX_NUMBER_DIGITS",
    "MAX_OIDC_DOCUMENT_BYTES",
    "MAX_PDF_BYTES",
    "MAX_PDF_PAGES",
    "MAX_PDF_TEXT_CHARS",
    "MAX_PDF_URLS",
    "MAX_PRESENTATION_BYTES",
    "MAX_PROFILE_BYTES",
    "MAX_PROOFS",
    "MAX_RESULTS_UPLOAD_BYTES",
    "MAX_REVIEW_COMMENT_CHARS",
    "MAX_SERVE_WORKERS",
    "MAX_SHARE_CREDENTIALS",
    "MAX_URLENCODED_FORM_BYTES",
    "MAX_URL_CHARS",
    "MAX_YAML_ALIASES",
    "MAX_YAML_DEPTH",
    "MAX_YAML_NODES",
    "OIDC_TIMEOUT_SECONDS",
    "PAGE_ITEMS",
    "STANDARDS_API_MAX_LIMIT",
    "STANDARDS_API_MAX_OFFSET",
    "VERIFY_TIME_BUDGET_SECONDS",
    "VERIFY_WORKERS",
    "WORKER_NICENESS",
]

# A multibase Ed25519 signature is 64 bytes (~88 base58 characters) and a Multikey 34 bytes
# (~48); nothing we decode is longer, and base58 decoding grows quadratically with length.
MAX_BASE58_CHARS = 128

# One credential as JSON, a JWT, a baked image: real ones are a few KiB; a CLR with dozens of
# embedded credentials stays well under this. The HTTP limit itself lives in config.py.
MAX_CREDENTIAL_BYTES = 1024 * 1024

# Credentials are shallow (the deepest real path is about ten levels); pyld and our own walkers
# recurse, so depth is bounded well below the interpreter's recursion limit.
MAX_JSON_DEPTH = 64

# No field of a credential is a number with more digits than a date; Python refuses integers
# over 4,300 digits with ValueError, which must never reach the user as a 500.
MAX_NUMBER_DIGITS = 100

# A credential names the VC context, the OB or CLR context and perhaps an extension or two.
MAX_CONTEXTS = 16

# A credential carries one proof, a few at most (a re-signed or endorsed document).
MAX_PROOFS = 8

# A URL a verifier is asked to follow or that a credential names as its id.
MAX_URL_CHARS = 2048

# verify/group: a portfolio of credentials shown together, and the request that carries it.
MAX_GROUP_CREDENTIALS = 50
MAX_GROUP_BYTES = 4 * 1024 * 1024

# A share link shows one credential or a bundle: a CV's worth, the ones that matter for one
# application, not a whole record (the signed CLR is that).
MAX_SHARE_CREDENTIALS = 20

# A credential imported into a wallet: at most a credential (MAX_CREDENTIAL_BYTES) baked into
# a badge picture, which is a few hundred KiB.
MAX_IMPORT_BYTES = 2 * 1024 * 1024

# A learner's Profile sent by putProfile: a name, an address and a few more fields of the
# spec's; an image as a data URI is the largest thing it can hold, kept to a small icon.
MAX_PROFILE_BYTES = 64 * 1024

# A printed certificate is a page or two; its file a few hundred KiB at most.
MAX_PDF_BYTES = 5 * 1024 * 1024
MAX_PDF_PAGES = 20
MAX_PDF_URLS = 50
# Its text (our layout is matched against the whole of it): a certificate prints a few hundred
# characters; a page of dense prose is about 5,000.
MAX_PDF_TEXT_CHARS = 100_000

# Verification runs in worker processes, off the event loop, with a time budget per request
# (the default; Settings.verify_time_budget), at a lower scheduling priority than the server.
VERIFY_WORKERS = 2
# `credstack serve --workers N`: past a few per core, processes only add memory (each ~100 MB);
# the N server processes share the installation's VERIFY_WORKERS verification workers.
MAX_SERVE_WORKERS = 64
VERIFY_TIME_BUDGET_SECONDS = 10.0
WORKER_NICENESS = 10

# Catalog YAML: an issuer's whole catalog, written by hand or generated.
MAX_CATALOG_BYTES = 2 * 1024 * 1024
MAX_CATALOG_ACHIEVEMENTS = 5000
MAX_YAML_DEPTH = 64
MAX_YAML_NODES = 200_000
MAX_YAML_ALIASES = 1000

# Entries per page of a public list (issuers on the home page, an issuer's catalog).
PAGE_ITEMS = 50

# One field of an imported results CSV (a comment is the longest real one).
MAX_CSV_FIELD_BYTES = 128 * 1024

# A results export uploaded on the console: a cohort of a few thousand attempts with an
# answer per item is a few MiB; 32 MiB leaves room for long comments on every row.
MAX_RESULTS_UPLOAD_BYTES = 32 * 1024 * 1024
# What a multipart form adds around its file (a page's upload form, or a file posted to the
# API): a part per field, each a boundary line (at most 70 characters, RFC 2046) and headers
# naming it and its file (a file name is at most 255 bytes), then a field's value: the CSRF
# token, a box ticked. The largest real form is a few hundred bytes; a part's headers are
# bounded at 1 KiB and a field beside the file at 1 KiB, for eight fields at the most.
MAX_FORM_FIELDS = 8
MAX_FORM_FIELD_BYTES = 1024
MAX_FORM_PART_HEADER_BYTES = 1024
MAX_FORM_OVERHEAD_BYTES = MAX_FORM_FIELDS * (MAX_FORM_PART_HEADER_BYTES + MAX_FORM_FIELD_BYTES)
# A reviewer's comment or send-back, and the reason recorded for a decision on a flagged
# award: a paragraph or two a person types into a form.
MAX_REVIEW_COMMENT_CHARS = 4_000
MAX_DECISION_REASON_CHARS = 2_000

# A bulk award import: a graduating class is thousands of rows, a certification body moving
# from a legacy system a few hundred thousand; a row is about 150 bytes, so 256 MiB holds the
# largest with room for long narratives, and a file is read once into memory.
MAX_AWARD_IMPORT_BYTES = 256 * 1024 * 1024
MAX_AWARD_IMPORT_ROWS = 500_000
# A row's narrative: what the award was for, a paragraph or two.
MAX_IMPORT_NARRATIVE_CHARS = 4_000

# The 1EdTech getCredentials `limit` and `offset`: a learner holds tens of credentials, a page
# of 100 signed ones is a few hundred kilobytes; an offset past a million is no real request.
STANDARDS_API_MAX_LIMIT = 100
STANDARDS_API_MAX_OFFSET = 1_000_000

# Holder binding (DID authentication). Our challenges are 43 characters; a DID of the methods
# we accept (did:key, did:web) is under a hundred, a did:web with a path a few hundred. A
# DIDAuth presentation carries no credential, so it is a few hundred bytes; a DID document
# lists a handful of keys. A learner's did:web is fetched with a short deadline so a slow host
# holds a request thread only briefly.
MAX_CHALLENGE_CHARS = 128
MAX_DID_CHARS = 2048
MAX_PRESENTATION_BYTES = 64 * 1024
MAX_DID_DOCUMENT_BYTES = 64 * 1024
DID_WEB_TIMEOUT_SECONDS = 3.0
MAX_OIDC_DOCUMENT_BYTES = 256 * 1024
"""An identity provider's discovery document, key set or token answer: a few KiB in practice."""
OIDC_TIMEOUT_SECONDS = 5.0
"""Each call to the identity provider during sign-in: the person is waiting on the page."""

# A page form sent urlencoded (sign-in, the console's forms, a consent): a few fields a person
# types. The largest is a pasted presentation (MAX_PRESENTATION_BYTES), which percent-encoding
# at most triples; the other fields fit in the form overhead.
MAX_URLENCODED_FORM_BYTES = 3 * MAX_PRESENTATION_BYTES + MAX_FORM_OVERHEAD_BYTES
# Seconds a request may go without sending any of its body (a client that declared a length
# and stalls, or a chunked stream that stops): the request is then answered 408. Per wait,
# as nginx's client_body_timeout: a slow upload that keeps sending is not cut off.
BODY_TIMEOUT_SECONDS = 30.0
