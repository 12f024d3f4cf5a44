import pytest

from smsc_proto.decode import find_error
from smsc_proto.formats.envelope import ApiError, error_in_json, error_in_text, error_in_xml, render_error
from smsc_proto.formats.xml import ENVELOPE_ROOM, parse_xml


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("ERROR = 2 (authorise error)", ApiError(2, "authorise error")),
        ("ERROR = 7 (invalid number), ID - 34", ApiError(7, "invalid number", 34)),
        (
            "ERROR = 3 (not enough money (balance 0)), ID - abc_1",
            ApiError(3, "not enough money (balance 0)", "abc_1"),
        ),
        ("ERROR = 9", ApiError(9, "")),
        ("0,-2", ApiError(2, "")),
        ("1234,-7", ApiError(7, "", 1234)),
        ('{\n"error": "authorise error",\n"error_code": 2\n}', ApiError(2, "authorise error")),
        ('{"error": "invalid number", "error_code": 7, "id": 34}', ApiError(7, "invalid number", 34)),
        ('{"error": "x", "error_code": "9"}', ApiError(9, "x")),
        (
            "<result>\n<error>parameters error</error>\n<error_code>1</error_code>\n</result>",
            ApiError(1, "parameters error"),
        ),
        ("<result><error>e</error><error_code>8</error_code><id>77</id></result>", ApiError(8, "e", 77)),
        ("  ERROR = 4 (IP blocked)  ", ApiError(4, "IP blocked")),
    ],
)
def test_every_envelope_is_found(body: str, expected: ApiError) -> None:
    assert find_error(body) == expected


@pytest.mark.parametrize(
    "body",
    [
        "",
        "OK",
        "250.80",
        "-250.80",  # a negative balance, not an error
        "1234,1",  # send fmt=1 success
        "-1,1286524541,0",  # status -1 in fmt=1: three fields
        "MTS service,15,-2",  # op_templates: negative status in the third field
        '{"balance": "1.0"}',
        '{"error": "no code"}',
        "<balance>1</balance>",
        "<html><body>502 Bad Gateway</body></html>",
        "{truncated",
        '{"error": "x", "error_code": "nine"}',
        '{"error_code": [1]}',
        '{"error_code": 1e999}',
        "<result><error_code>x</error_code></result>",
        "<broken",
        "ERROR = 2 trailing words",
    ],
)
def test_non_errors_are_not_errors(body: str) -> None:
    assert find_error(body) is None


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
@pytest.mark.parametrize("message_id", [None, 34])
def test_render_round_trips(fmt: int, message_id: int | None) -> None:
    error = ApiError(7, "invalid number" if fmt != 1 else "", message_id)
    assert find_error(render_error(fmt, error)) == error


def test_each_reader_takes_its_parsed_form() -> None:
    assert error_in_json('{"error": "e", "error_code": 2, "id": "ab"}') == ApiError(2, "e", "ab")
    assert error_in_json('{"error_code": 2}') == ApiError(2, "")
    assert error_in_json('{"error_code": [2], "error": "e"}') is None
    # A description that is not text is shown as written; other keys are never read.
    nested = '{"error_code": "2", "error": {"a": [1]}, "rows": [' + "{}," * 1000 + "{}]}"
    assert error_in_json(nested) == ApiError(2, '{"a": [1]}')
    root = parse_xml("<result><error> e </error><error_code>4</error_code></result>", ENVELOPE_ROOM)
    assert error_in_xml(root) == ApiError(4, "e")
    assert error_in_xml(parse_xml("<result><error>e</error></result>", ENVELOPE_ROOM)) is None
    assert error_in_text("ERROR = 3 (no money), ID - 7") == ApiError(3, "no money", 7)
    assert error_in_text("0,-9") == ApiError(9, "")
    assert error_in_text("OK - 1 SMS, ID - 7") is None


def test_api_error_equality() -> None:
    assert ApiError(1, "a", None) == ApiError(1, "a")
    assert ApiError(1, "a", 2) != ApiError(1, "a", "2")
    assert ApiError(1, "a") != (1, "a", None)
    assert repr(ApiError(1, "a", 2)) == "ApiError(1, 'a', 2)"


def test_decode_error_redacts_raw_and_url_encoded_secrets() -> None:
    from smsc_proto import DecodeError

    error = DecodeError("send", "not JSON", "psw=p%40ss+word&apikey=k3y p@ss word")
    error.redact(["p@ss word", "k3y", ""])
    assert "p@ss" not in str(error) and "p%40ss" not in str(error) and "k3y" not in str(error)
    assert error.excerpt == "psw=<hidden>&apikey=<hidden>"


def test_an_escaped_error_code_key_is_still_an_envelope() -> None:
    from smsc_proto import AuthenticationError, Balance, HttpResponse

    body = b'{"error": "bad login", "error\\u005fcode": 2}'
    with pytest.raises(AuthenticationError):
        Balance().decode(HttpResponse(200, {"Content-Type": "application/json"}, body))
