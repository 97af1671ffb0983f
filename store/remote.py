"""What an object-store failure means, in words a user can act on.

Lance reports object-store errors as long chains (`Generic S3 error: ... error sending
request ... Connection refused`); `why_unreachable` reduces one to its cause so the
lake's error is a single line: refused credentials, a missing bucket, an endpoint that
does not answer, or a URI scheme Lance has no store for.
"""

LOCAL_SCHEMES = ("memory://", "file://")
# Lance object-store options for the one listing that checks a remote lake is reachable.
PROBE_OPTIONS = {"connect_timeout": "3s", "timeout": "15s", "client_max_retries": "1", "client_retry_timeout": "5"}

# (substring of Lance's message, lower-cased) -> the cause a user can act on; first match wins.
CAUSES = (
    (("invalidaccesskeyid", "signaturedoesnotmatch", "accessdenied", "forbidden", "403"),
     "credentials refused (check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)"),
    (("nosuchbucket", "bucket not found", "does not exist"), "no such bucket"),
    (("connection refused", "error sending request", "dns error", "timed out", "timeout", "connect"),
     "endpoint unreachable (check AWS_ENDPOINT_URL and the network)"),
    (("no store", "not supported", "unknown scheme", "invalid url", "parse"), "not a URI Lance can open"),
)


def is_remote(uri: str) -> bool:
    """True for object-store URIs (`s3://...`, `gs://...`, `az://...`), false for paths and `memory://`."""
    return "://" in uri and not uri.startswith(LOCAL_SCHEMES)


def why_unreachable(exc: BaseException) -> str:
    """One line: the cause of an object-store error, followed by the store's own first line."""
    text = str(exc)
    lowered = text.lower()
    detail = text.strip().splitlines()[0][:160] if text.strip() else type(exc).__name__
    for needles, cause in CAUSES:
        if any(n in lowered for n in needles):
            return f"{cause} [{detail}]"
    return detail
