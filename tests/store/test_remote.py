from store.remote import is_remote, why_unreachable


def test_object_store_errors_reduce_to_a_cause():
    refused = OSError("Generic S3 error: Error performing list request: Client error with status 403 Forbidden: "
                      "<Code>InvalidAccessKeyId</Code>\nmore")
    assert why_unreachable(refused).startswith("credentials refused")
    down = OSError("Generic S3 error: error sending request for url (http://127.0.0.1:1/b): Connection refused")
    assert why_unreachable(down).startswith("endpoint unreachable")
    assert why_unreachable(ValueError("something new")) == "something new"
    assert "\n" not in why_unreachable(refused)


def test_remote_uris():
    assert is_remote("s3://b/p") and is_remote("gs://b/p")
    assert not is_remote("lake") and not is_remote("memory://x") and not is_remote("/data/lake")
