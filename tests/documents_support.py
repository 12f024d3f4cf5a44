"""Builders and a loopback server for the documents / operator_templates tests.

``minimal_pdf`` writes a small but valid one-page PDF (correct xref offsets), so tests
and fixtures never depend on a real invoice; ``invoice_body`` wraps it as documents.php's
``add_account`` answer. ``FileServer`` is a loopback HTTP server answering whatever body
and headers a test sets, recording the requests it reads.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from smsc_proto import HttpRequest
from smsc_proto.formats.multipart import Part, render_multipart

BOUNDARY = "smsc-Boundary_0123456789"
PDF_TYPE = "application/pdf"
JSON_TYPE = "application/json; charset=utf-8"


def minimal_pdf(text: str = "Invoice") -> bytes:
    """A one-page PDF showing ``text`` (ASCII), with a correct cross-reference table."""
    safe = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 18 Tf 72 720 Td ({safe}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def json_part(text: str, content_type: str | None = JSON_TYPE) -> Part:
    headers = (("Content-Type", content_type),) if content_type else ()
    return Part(headers, text.encode("utf-8"))


def pdf_part(pdf: bytes, filename: str | None = "account.pdf", content_type: str = PDF_TYPE) -> Part:
    headers: tuple[tuple[str, str], ...] = (("Content-Type", content_type),)
    if filename is not None:
        headers += (("Content-Disposition", f'attachment; filename="{filename}"'),)
    return Part(headers, pdf)


def invoice_body(
    invoice_id: int = 4511,
    amount: str = "1500.00",
    pdf: bytes | None = None,
    filename: str | None = "account_4511.pdf",
    boundary: str = BOUNDARY,
) -> bytes:
    """documents.php ``add_account``'s answer as inferred: JSON part, then the PDF part."""
    head = json_part(f'{{\n"id": {invoice_id},\n"sum": "{amount}"\n}}')
    return render_multipart([head, pdf_part(pdf or minimal_pdf(), filename)], boundary)


def multipart_type(boundary: str = BOUNDARY) -> str:
    return f"multipart/mixed; boundary={boundary}"


@dataclass
class Answer:
    """What the server answers next: status, headers (Content-Length is added) and body."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


class FileServer:
    """A loopback HTTP/1.1 server answering ``answer`` to every request::

    with FileServer() as server:
        server.answer = Answer(minimal_pdf(), headers={"Content-Type": PDF_TYPE})
        Client(creds, hosts=[server.url], rate_limits=False).call(op)
    """

    def __init__(self) -> None:
        self.answer = Answer()
        self.forms: list[dict[str, str]] = []
        self.paths: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                owner.forms.append(HttpRequest.parse_body(self.rfile.read(length)))
                owner.paths.append(self.path)
                answer = owner.answer
                self.send_response(answer.status)
                for key, value in answer.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            do_GET = do_POST

            def log_message(self, format: str, *args: object) -> None:
                pass  # keep test output clean

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> FileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@contextmanager
def serving(answer: Answer) -> Iterator[FileServer]:
    with FileServer() as server:
        server.answer = answer
        yield server
