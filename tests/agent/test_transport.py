"""Which TLS verification each endpoint gets."""

from __future__ import annotations


def test_plain_http_endpoints_get_a_tls_context_that_trusts_nothing() -> None:
    import ssl

    from tau_cli.agent._transport import _tls_for

    local = _tls_for("http://127.0.0.1:11434")
    assert isinstance(local, ssl.SSLContext)
    assert local.verify_mode is ssl.CERT_REQUIRED and local.check_hostname
    assert local.cert_store_stats()["x509_ca"] == 0  # TLS through it fails, never unverified
    assert _tls_for("https://example.openai.azure.com") is True
