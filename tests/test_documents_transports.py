"""documents.php and op_templates.php through both clients, against a loopback server.

A property test serves arbitrary PDF / multipart / JSON / envelope / garbage bodies: each
client returns a typed result or raises a typed error (``SmscProtoError``), nothing else.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest
from documents_support import (
    BOUNDARY,
    JSON_TYPE,
    PDF_TYPE,
    Answer,
    FileServer,
    invoice_body,
    json_part,
    minimal_pdf,
    multipart_type,
    pdf_part,
)
from hypothesis import HealthCheck, given, settings, strategies as st
from smsc_aiohttp import AsyncClient
from smsc_urllib3 import Client

from smsc_proto import (
    Credentials,
    DecodeError,
    DocumentFile,
    DocumentsAddAccount,
    DocumentsGetAccount,
    DocumentsGetAct,
    InvoiceResult,
    NotFoundError,
    Op,
    OperatorTemplateInfo,
    OperatorTemplatesAdd,
    OperatorTemplatesGet,
    SmscProtoError,
    TemplateStatus,
)
from smsc_proto.formats.multipart import Part, render_multipart

CREDS = Credentials(login="acme", psw="s3cret-pw")
PDF = minimal_pdf("Invoice 4511")
ADD = DocumentsAddAccount(user="client1", sum=Decimal("1500.00"), service="SMS")
GET_ACCOUNT = DocumentsGetAccount(user_id=17, id=4511)
GET_ACT = DocumentsGetAct(user="client1", num="A-118")
# ``stream()`` is typed for list answers (``Op[list[T]]``); an op with one result still
# streams at run time (its buffered decoder yields the one result), so it goes in untyped.
STREAMED_ACT: Op[Any] = GET_ACT
INVOICE = InvoiceResult(id=4511, sum=Decimal("1500.00"), pdf=PDF, filename="account_4511.pdf")
MULTIPART = Answer(invoice_body(4511, "1500.00", PDF), headers={"Content-Type": multipart_type()})
FILE = Answer(
    PDF, headers={"Content-Type": PDF_TYPE, "Content-Disposition": 'attachment; filename="act.pdf"'}
)
NOT_FOUND = Answer(
    b'{\n"error": "document not found",\n"error_code": 7\n}', headers={"Content-Type": JSON_TYPE}
)


def _client(server: FileServer) -> Client:
    return Client(CREDS, hosts=[server.url], rate_limits=False, max_attempts=1)


def _async_client(server: FileServer) -> AsyncClient:
    return AsyncClient(CREDS, hosts=[server.url], rate_limits=False, max_attempts=1)


def test_sync_add_account_returns_the_invoice_and_sends_the_form() -> None:
    with FileServer() as server, _client(server) as client:
        server.answer = MULTIPART
        assert client.call(ADD) == INVOICE
    assert server.paths == ["/sys/documents.php"]
    form = server.forms[0]
    assert form["add_account"] == "1" and form["user"] == "client1" and form["sum"] == "1500.00"
    assert form["service"] == "SMS" and form["fmt"] == "3"
    assert form["login"] == "acme" and form["psw"] == "s3cret-pw"


def test_sync_file_ops_return_the_pdf() -> None:
    with FileServer() as server, _client(server) as client:
        server.answer = FILE
        assert client.call(GET_ACCOUNT) == DocumentFile(pdf=PDF, filename="act.pdf")
        assert client.call(GET_ACT) == DocumentFile(pdf=PDF, filename="act.pdf")
        assert [f["get_account" if "get_account" in f else "get_act"] for f in server.forms] == ["1", "1"]
        assert server.forms[1]["num"] == "A-118"


def test_sync_stream_yields_the_file() -> None:
    with (
        FileServer() as server,
        Client(CREDS, hosts=[server.url], rate_limits=False, chunk_size=64) as client,
    ):
        server.answer = FILE
        assert list(client.stream(STREAMED_ACT)) == [DocumentFile(pdf=PDF, filename="act.pdf")]


def test_sync_errors_and_malformed_answers_are_typed() -> None:
    with FileServer() as server, _client(server) as client:
        server.answer = NOT_FOUND
        with pytest.raises(NotFoundError) as info:
            client.call(GET_ACT)
        assert info.value.code == 7 and "s3cret" not in str(info.value)
        server.answer = Answer(PDF, headers={"Content-Type": PDF_TYPE})
        with pytest.raises(DecodeError):
            client.call(ADD)  # a bare PDF where the multipart answer was expected
        server.answer = Answer(invoice_body(pdf=PDF), headers={"Content-Type": multipart_type("nope")})
        with pytest.raises(DecodeError):
            client.call(ADD)


async def test_async_documents_round_trip() -> None:
    with FileServer() as server:
        async with _async_client(server) as client:
            server.answer = MULTIPART
            assert await client.call(ADD) == INVOICE
            server.answer = FILE
            assert await client.call(GET_ACCOUNT) == DocumentFile(pdf=PDF, filename="act.pdf")
            assert [record async for record in client.stream(STREAMED_ACT)] == [
                DocumentFile(pdf=PDF, filename="act.pdf")
            ]
            server.answer = NOT_FOUND
            with pytest.raises(NotFoundError):
                await client.call(GET_ACT)
            server.answer = Answer(b'{"id": 4511, "sum": "1"}', headers={"Content-Type": JSON_TYPE})
            with pytest.raises(DecodeError):
                await client.call(ADD)
    assert server.forms[0]["add_account"] == "1"


@pytest.mark.parametrize(
    ("op", "result"),
    [
        (ADD, INVOICE),
        (GET_ACCOUNT, DocumentFile(pdf=PDF, filename="account_4511.pdf")),
        (GET_ACT, DocumentFile(pdf=PDF)),
    ],
    ids=["add_account", "get_account", "get_act"],
)
def test_rendered_answers_decode_through_both_clients(op: Any, result: Any) -> None:
    # What op.render writes (an emulator's answer) is what each client hands back.
    response = op.render(result)

    async def via_async(server: FileServer) -> Any:
        async with _async_client(server) as client:
            return await client.call(op)

    with FileServer() as server, _client(server) as client:
        server.answer = Answer(response.body, response.status, dict(response.headers))
        assert client.call(op) == result
        assert asyncio.run(via_async(server)) == result
        error = op.render_error(6, "sub-login not found")
        server.answer = Answer(error.body, error.status, dict(error.headers))
        with pytest.raises(NotFoundError) as info:
            client.call(op)
        assert (info.value.code, info.value.op) == (6, op.op_id)


def test_op_templates_through_both_clients() -> None:
    body = b"MTS (service),90311,2\nBeeline,,-1"
    expected = [
        OperatorTemplateInfo(name="MTS (service)", id=90311, status=TemplateStatus.ACCEPTED),
        OperatorTemplateInfo(name="Beeline", id=None, status=TemplateStatus.NONE),
    ]
    op = OperatorTemplatesGet(sender="SHOP", msg="Code %d%", fmt=1)

    async def via_async(server: FileServer) -> Any:
        async with _async_client(server) as client:
            return await client.call(op)

    with FileServer() as server, _client(server) as client:
        server.answer = Answer(body, headers={"Content-Type": "text/plain; charset=utf-8"})
        assert client.call(op) == expected
        assert asyncio.run(via_async(server)) == expected
    assert server.forms[0]["get"] == "1" and server.forms[0]["fmt"] == "1"


# -- property: whatever the server answers, a typed result or a typed error ------------------

_part = st.builds(
    Part,
    st.sampled_from(
        [
            (),
            (("Content-Type", "application/json"),),
            (("Content-Type", PDF_TYPE), ("Content-Disposition", 'attachment; filename="a.pdf"')),
        ]
    ),
    st.one_of(st.binary(max_size=64), st.just(PDF), st.just(b'{"id": 1, "sum": "5"}')),
)
_bodies = st.one_of(
    st.just(PDF),
    st.binary(max_size=200),
    st.lists(_part, max_size=3).map(lambda parts: render_multipart(parts, BOUNDARY)),
    st.just(invoice_body(pdf=PDF)),
    st.sampled_from(
        [
            b'{"error": "x", "error_code": 6}',
            b"ERROR = 5 (error creating invoice)",
            b"0,-9",
            b"<result><error>e</error><error_code>4</error_code></result>",
            b"<html><body>oops</body></html>",
            b'{"id": 1, "sum": "2"}',
            b"MTS,1,-1",
            b"",
        ]
    ),
)
_answers = st.builds(
    Answer,
    body=_bodies,
    status=st.sampled_from([200, 200, 200, 404, 500]),
    headers=st.sampled_from(
        [
            {},
            {"Content-Type": PDF_TYPE},
            {"Content-Type": JSON_TYPE},
            {"Content-Type": multipart_type()},
            {"Content-Type": "text/html"},
            {"Content-Type": PDF_TYPE, "Content-Disposition": "attachment; filename*=UTF-8''%D0%90.pdf"},
        ]
    ),
)
_ops = st.sampled_from([ADD, GET_ACCOUNT, GET_ACT, OperatorTemplatesAdd(sender="S", msg="m", soc=1)])


def _check(outcome: Any) -> None:
    if isinstance(outcome, BaseException):
        assert isinstance(outcome, SmscProtoError), f"untyped {type(outcome).__name__}: {outcome}"
    else:
        assert isinstance(outcome, (InvoiceResult, DocumentFile, list))


def test_clients_give_a_typed_result_or_error_whatever_the_body() -> None:
    loop = asyncio.new_event_loop()
    try:
        with FileServer() as server, _client(server) as client:
            async_client = _async_client(server)

            async def async_call(op: Any) -> Any:
                try:
                    return await async_client.call(op)
                except Exception as exc:
                    return exc

            @settings(
                max_examples=40,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
            )
            @given(answer=_answers, op=_ops)
            def check(answer: Answer, op: Any) -> None:
                server.answer = answer
                try:
                    outcome: Any = client.call(op)
                except Exception as exc:
                    outcome = exc
                _check(outcome)
                _check(loop.run_until_complete(async_call(op)))

            try:
                check()
            finally:
                loop.run_until_complete(async_client.close())
    finally:
        loop.close()


def test_multipart_parts_reach_the_client_byte_for_byte() -> None:
    # A PDF holding CRLF, NUL and high bytes must come through both transports unchanged.
    pdf = minimal_pdf("x") + b"\r\n\x00\xff\r\n--" + BOUNDARY[:-1].encode() + b"\r\n%%EOF\n"
    body = render_multipart([json_part('{"id": 9, "sum": "1.5"}'), pdf_part(pdf, "f.pdf")], BOUNDARY)

    async def via_async(server: FileServer) -> Any:
        async with AsyncClient(CREDS, hosts=[server.url], rate_limits=False, chunk_size=7) as client:
            return await client.call(ADD)

    with FileServer() as server, Client(CREDS, hosts=[server.url], rate_limits=False, chunk_size=7) as client:
        server.answer = Answer(body, headers={"Content-Type": multipart_type()})
        assert client.call(ADD).pdf == pdf
        assert asyncio.run(via_async(server)).pdf == pdf
