"""Files sent with a request: ``Upload``, the multipart/form-data body the codec builds, the
ops that take files (an MMS's attachments, a sender name's document), and both clients
posting them to a loopback server that reads them with a real multipart parser."""

from __future__ import annotations

import asyncio
import io
import os
from typing import Any

import multipart
import pytest
from smsc_aiohttp import AsyncClient
from smsc_urllib3 import Client
from transport_support import Reply, Server

from smsc_proto import (
    Credentials,
    DecodeError,
    HttpRequest,
    InvalidParameter,
    Send,
    SendCost,
    SenderCreated,
    SendersAdd,
    SendersChg,
    SendRest,
    SendResult,
    Upload,
)
from smsc_proto.client_options import ClientOptions
from smsc_proto.errors import scrub_credentials
from smsc_proto.ops.send import MAX_ATTACHMENTS
from smsc_proto.ops.senders import MAX_DOCUMENT
from smsc_proto.policy import PolicyConfig
from smsc_proto.upload import MULTIPART_PREFIX

CREDS = Credentials(login="acme", psw="hunter2-secret")
# Bytes that look like multipart syntax inside a file: the boundary must still hold.
PICTURE = b"\xff\xd8\xff\xe0" + b"--\r\n\r\nContent-Disposition: form-data; name=psw\r\n" + os.urandom(4096)
MMS = Send(
    phones=["79991234567"],
    mes="Your order",
    subj="Order 17",
    mms=1,
    files=[Upload("order.jpg", PICTURE, "image/jpeg")],
)


def _parts(body: bytes, content_type: str) -> dict[str, tuple[str | None, bytes]]:
    """Each part of a multipart body as a real parser reads it: (file name, raw bytes)."""
    _, options = multipart.parse_options_header(content_type)
    parser = multipart.MultipartParser(io.BytesIO(body), options["boundary"], charset="utf-8")
    return {str(part.name): (part.filename, part.raw) for part in parser}


# -- Upload ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "reason"),
    [
        ("", "non-empty"),
        ("   ", "non-empty"),
        ("../etc/passwd", "'/'"),
        ("C:\\photo.jpg", "'\\\\'"),
        ('a".jpg', "'\"'"),
        ("a\r\nX-Header: 1.jpg", "'\\r'"),
        ("a\x00.jpg", "'\\x00'"),
        ("x" * 256, "longer than 255"),
    ],
)
def test_a_file_name_is_a_bare_name(filename: str, reason: str) -> None:
    with pytest.raises(ValueError, match="filename") as caught:
        Upload(filename, b"x")
    assert reason in str(caught.value)


@pytest.mark.parametrize(
    "content_type", ["", "image", "image/png; charset=x", "image/png\r\nX: 1", "имидж/png"]
)
def test_a_content_type_is_a_bare_media_type(content_type: str) -> None:
    with pytest.raises(ValueError, match="content_type"):
        Upload("a.png", b"x", content_type)


def test_content_must_be_bytes_and_repr_shows_only_its_size() -> None:
    with pytest.raises(ValueError, match="content must be bytes"):
        Upload("a.txt", "text")  # type: ignore[arg-type]
    upload = Upload("order.jpg", b"private picture", "image/jpeg")
    assert repr(upload) == "Upload(filename='order.jpg', size=15, content_type='image/jpeg')"
    assert "private" not in repr(MMS) and "order.jpg" in repr(MMS)
    assert (
        upload.extension == "jpg"
        and Upload("README", b"x").extension == ""
        and Upload(".rc", b"x").extension == ""
    )


# -- the body ----------------------------------------------------------------------------------


def test_the_body_carries_every_field_and_the_file_byte_for_byte() -> None:
    request = MMS.request(CREDS)
    assert request.content_type is not None and request.content_type.startswith(MULTIPART_PREFIX)
    parts = _parts(request.body, request.content_type)
    assert parts["file0"] == ("order.jpg", PICTURE)
    assert {name: raw.decode() for name, (filename, raw) in parts.items() if filename is None} == dict(
        request.fields
    )
    # What a server reads, as the emulator and the conformance runner compare it.
    assert HttpRequest.parse_body(request.body, request.content_type) == dict(request.form())
    assert request.params()["file0"] == "<file order.jpg>" and "psw" not in request.params()


def test_the_boundary_is_the_same_for_every_attempt_and_every_login_and_differs_by_content() -> None:
    first, again = MMS.request(CREDS), MMS.request(CREDS)
    other_login = MMS.request(Credentials(apikey="another-key-entirely"))
    assert first.headers == again.headers == other_login.headers
    assert first.body == again.body
    changed = Send(
        phones=["79991234567"],
        mes="Your order",
        subj="Order 17",
        mms=1,
        files=[Upload("order.jpg", PICTURE + b"!")],
    )
    assert changed.request(CREDS).headers != first.headers
    boundary = first.content_type.split("boundary=")[1]  # type: ignore[union-attr]
    # Only the delimiters hold it: one per field, one per file, the closing one.
    assert first.body.count(boundary.encode()) == len(first.fields) + 1 + 1


def test_the_parts_are_numbered_as_the_php_library_names_them() -> None:
    files = [Upload(f"p{i}.png", bytes([i + 1]), "image/png") for i in range(3)]
    op = Send(phones=["79991234567"], mes="x", mail=1, subj="s", files=files)
    assert [name for name, _ in op.uploads()] == ["file0", "file1", "file2"]
    assert "file" not in dict(op.params()) and "file0" not in dict(op.params())


def test_an_op_without_files_still_posts_a_form() -> None:
    request = Send(phones=["79991234567"], mes="x").request(CREDS)
    assert request.content_type == "application/x-www-form-urlencoded; charset=utf-8"
    assert request.files == ()


def test_an_echo_of_the_multipart_body_is_scrubbed() -> None:
    echoed = MMS.request(CREDS).body.decode("utf-8", "replace")
    assert "hunter2" in echoed  # the form body is the one place a secret goes
    shown = scrub_credentials("400 Bad Request: " + echoed)
    assert "hunter2" not in shown and 'name="psw"\r\n\r\n<hidden>' in shown


# -- ops that take files -----------------------------------------------------------------------


def test_attachments_go_with_mms_mail_or_viber() -> None:
    with pytest.raises(InvalidParameter, match="mms=1, mail=1 or viber=1") as caught:
        Send(phones=["79991234567"], mes="x", files=[Upload("a.jpg", b"x")])
    assert caught.value.field == "file"
    for flag in ("mms", "mail", "viber"):
        kind: dict[str, Any] = {flag: 1}
        files = [Upload("a.jpg", b"x")]
        assert Send(phones=["79991234567"], mes="x", subj="s", files=files, **kind).uploads()


def test_attachments_are_checked_before_anything_is_sent() -> None:
    with pytest.raises(InvalidParameter, match="empty file"):
        Send(phones=["79991234567"], mes="x", mms=1, files=[Upload("a.jpg", b"")])
    with pytest.raises(InvalidParameter, match="is required"):
        Send(phones=["79991234567"], mes="x", mms=1, files=[])
    half = MAX_ATTACHMENTS // 2 + 1
    with pytest.raises(InvalidParameter, match=f"larger than the {MAX_ATTACHMENTS} bytes") as caught:
        Send(
            phones=["79991234567"],
            mes="x",
            mms=1,
            files=[Upload("a.jpg", b"a" * half), Upload("b.jpg", b"b" * half)],
        )
    assert caught.value.field == "file" and f"{2 * half} bytes" in str(caught.value)
    with pytest.raises(InvalidParameter, match=r"must be Upload\(filename, content, content_type\) values"):
        Send(phones=["79991234567"], mes="x", mms=1, files=["photo.jpg"])  # type: ignore[list-item]


def test_rest_send_and_the_cost_query_take_no_files() -> None:
    with pytest.raises(InvalidParameter, match="JSON body carries no files"):
        SendRest(phones=["79991234567"], mes="x", mms=1, files=[Upload("a.jpg", b"x")])
    with pytest.raises(TypeError):
        SendCost(phones=["79991234567"], mes="x", files=[Upload("a.jpg", b"x")])  # type: ignore[call-arg]


def test_fixtures_and_the_cli_give_files_as_base64() -> None:
    op = Send.from_params(
        {
            "phones": "79991234567",
            "mes": "x",
            "mms": 1,
            "file": [{"filename": "a.png", "content": "iVBORw==", "content_type": "image/png"}],
        }
    )
    assert op.uploads() == (("file0", Upload("a.png", b"\x89PNG", "image/png")),)
    with pytest.raises(InvalidParameter, match="bare file name") as caught:
        Send.from_params(
            {"phones": "79991234567", "mes": "x", "mms": 1, "file": [{"filename": "../a", "content": ""}]}
        )
    assert caught.value.field == "file"


def test_a_sender_names_document_is_one_of_the_kinds_and_sizes_the_api_takes() -> None:
    pdf = Upload("certificate.PDF", b"%PDF-1.7\n...", "application/pdf")
    assert SendersAdd(sender="Shop", document=pdf).uploads() == (("document", pdf),)
    assert SendersChg(id=42, document=pdf).uploads() == (("document", pdf),)  # a document alone is a change
    with pytest.raises(InvalidParameter, match="jpeg, jpg, pdf, png, rar, tif, tiff, zip") as caught:
        SendersAdd(sender="Shop", document=Upload("certificate.docx", b"PK.."))
    assert caught.value.field == "document"
    with pytest.raises(InvalidParameter, match=f"larger than the {MAX_DOCUMENT} bytes"):
        SendersAdd(sender="Shop", document=Upload("scan.tif", b"\0" * (MAX_DOCUMENT + 1)))
    assert SendersAdd(sender="Shop", document=Upload("scan.tif", b"\0" * MAX_DOCUMENT)).uploads()


# -- both clients --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["urllib3", "aiohttp"])
def test_both_clients_post_the_files(kind: str) -> None:
    pdf = Upload("certificate.pdf", b"%PDF-1.7\n" + os.urandom(70_000), "application/pdf")
    document = SendersAdd(sender="Shop", cmt="our news", document=pdf)
    with Server(Reply('{"cnt": 1, "id": 77}'), Reply('{"sender": 3456}')) as server:
        if kind == "urllib3":
            with Client(CREDS, hosts=[server.url], rate_limits=False) as client:
                sent = client.call(MMS)
                created = client.call(document)
        else:

            async def both() -> tuple[SendResult, SenderCreated]:
                async with AsyncClient(CREDS, hosts=[server.url], rate_limits=False) as client:
                    return await client.call(MMS), await client.call(document)

            sent, created = asyncio.run(both())
    assert sent.id == 77 and created.id == 3456
    mms_seen, document_seen = server.requests
    for seen, op in ((mms_seen, MMS), (document_seen, document)):
        assert seen.header("Content-Type") == op.request(CREDS).content_type
        assert seen.header("Content-Length") == str(len(seen.body))
        assert seen.body == op.request(CREDS).body
        assert "hunter2" not in seen.outside_body()
    assert _parts(mms_seen.body, mms_seen.header("Content-Type") or "")["file0"] == ("order.jpg", PICTURE)
    assert _parts(document_seen.body, document_seen.header("Content-Type") or "")["document"] == (
        "certificate.pdf",
        pdf.content,
    )
    assert mms_seen.form["mes"] == "Your order" and mms_seen.form["psw"] == "hunter2-secret"


@pytest.mark.parametrize("kind", ["urllib3", "aiohttp"])
def test_an_error_page_echoing_the_upload_shows_no_secret(kind: str) -> None:
    echo = Reply("<html><pre>{form}</pre></html>", status=400, content_type="text/html", echo=True)
    with Server(echo) as server:
        if kind == "urllib3":
            with (
                Client(CREDS, hosts=[server.url], rate_limits=False) as client,
                pytest.raises(DecodeError) as caught,
            ):
                client.call(MMS)
        else:

            async def call() -> None:
                async with AsyncClient(CREDS, hosts=[server.url], rate_limits=False) as client:
                    await client.call(MMS)

            with pytest.raises(DecodeError) as caught:
                asyncio.run(call())
    assert "hunter2" not in str(caught.value) and "hunter2" not in repr(caught.value)


def test_the_header_cache_stays_bounded_with_a_boundary_per_request() -> None:
    options = ClientOptions(PolicyConfig(hosts=("https://smsc.ru",)))
    form = Send(phones=["79991234567"], mes="x").request(CREDS)
    assert options.headers(form) is options.headers(form)
    for i in range(50):
        op = Send(phones=["79991234567"], mes="x", mms=1, files=[Upload("a.jpg", bytes([i]))])
        headers = options.headers(op.request(CREDS))
        assert headers["Content-Type"].startswith(MULTIPART_PREFIX) and headers["User-Agent"]
    assert len(options._headers) == 1
