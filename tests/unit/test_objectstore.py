"""S3 configuration from the standard AWS variables (no server needed)."""

from __future__ import annotations

import pytest
from tiktok_engagement.objectstore import is_s3_uri, s3_filesystem, s3_location


def test_s3_location_is_bucket_and_prefix():
    assert is_s3_uri("s3://bucket/landing") and not is_s3_uri("/data/landing")
    assert s3_location("s3://bucket/a/landing/") == "bucket/a/landing"


def test_credentials_in_the_uri_are_refused_and_not_repeated():
    with pytest.raises(ValueError, match="must not carry credentials") as raised:
        s3_location("s3://AKIAKEY:topsecret@bucket/landing")
    assert "topsecret" not in str(raised.value)


def test_a_uri_without_bucket_is_refused():
    with pytest.raises(ValueError, match="names no bucket"):
        s3_location("s3:///landing")


def test_endpoint_and_region_come_from_the_aws_variables():
    fs = s3_filesystem(
        {
            "AWS_ENDPOINT_URL": "https://ignored.example:1",
            "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9000",
            "AWS_DEFAULT_REGION": "eu-west-3",
        }
    )
    options = fs.__reduce__()[1][0]  # pyarrow's pickled constructor arguments
    assert options["endpoint_override"] == "127.0.0.1:9000"
    assert options["scheme"] == "http"
    assert fs.region == "eu-west-3"
    # Keys are left to the AWS SDK's credential chain, never passed through this code.
    assert options["access_key"] is None and options["secret_key"] is None


def test_a_malformed_endpoint_is_named_without_its_value():
    with pytest.raises(ValueError, match="AWS_ENDPOINT_URL must be") as raised:
        s3_filesystem({"AWS_ENDPOINT_URL": "http://user:topsecret@host:9000"})
    assert "topsecret" not in str(raised.value)
