import copy
import pickle

import pytest

from smsc_proto import Credentials


def test_login_and_password_form_fields() -> None:
    creds = Credentials(login="acme", psw="s3cr3t-pass")
    assert creds.form_fields() == [("login", "acme"), ("psw", "s3cr3t-pass")]
    assert creds.login == "acme"
    assert not creds.uses_apikey


def test_apikey_form_fields() -> None:
    creds = Credentials(apikey="KEY-123456")
    assert creds.form_fields() == [("apikey", "KEY-123456")]
    assert creds.uses_apikey
    assert creds.login is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "give login and psw together, or apikey"),
        ({"login": "acme"}, "give login and psw together"),
        ({"psw": "x"}, "give login and psw together"),
        ({"login": "acme", "psw": "x", "apikey": "k"}, "not both"),
        ({"apikey": "k", "login": "acme"}, "not both"),
        ({"apikey": ""}, "apikey is empty"),
        ({"login": "", "psw": "x"}, "must not be empty"),
    ],
)
def test_exactly_one_way_to_authenticate(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Credentials(**kwargs)


def test_non_string_secret_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="psw must be a str"):
        Credentials(login="acme", psw=123)  # type: ignore[arg-type]


def test_repr_and_str_hide_secrets() -> None:
    for creds in (Credentials(login="acme", psw="hunter2-secret"), Credentials(apikey="KEY-hunter2")):
        for text in (repr(creds), str(creds), f"{creds}", repr([creds])):
            assert "hunter2" not in text
            assert "<hidden>" in text


BOTH = [Credentials(login="acme", psw="hunter2-pass"), Credentials(apikey="KEY-hunter2")]


@pytest.mark.parametrize("creds", BOTH, ids=["psw", "apikey"])
@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_cannot_be_pickled(creds: Credentials, protocol: int) -> None:
    # Refused, not pickled without the secrets: see the Credentials docstring.
    with pytest.raises(TypeError, match="cannot be pickled") as info:
        pickle.dumps(creds, protocol=protocol)
    assert "hunter2" not in str(info.value)
    # Nor inside something else: a queue item, a cached object.
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps({"job": [1, creds]}, protocol=protocol)


@pytest.mark.parametrize("creds", BOTH, ids=["psw", "apikey"])
def test_no_state_hook_gives_the_secrets(creds: Credentials) -> None:
    # Python 3.11+ gives every object a __getstate__ returning its slots: secrets included.
    for hook in (creds.__getstate__, creds.__reduce__, lambda: creds.__reduce_ex__(2)):
        with pytest.raises(TypeError, match="cannot be pickled") as info:
            hook()
        assert "hunter2" not in str(info.value)


@pytest.mark.parametrize("creds", BOTH, ids=["psw", "apikey"])
def test_copies_are_the_same_object(creds: Credentials) -> None:
    # Immutable and in-process: copying shares it, and serialises nothing.
    assert copy.copy(creds) is creds
    assert copy.deepcopy(creds) is creds
    holder = copy.deepcopy({"creds": [creds]})
    assert holder["creds"][0] is creds
    assert creds.form_fields() == copy.copy(creds).form_fields()


def test_equality_and_secrets() -> None:
    a = Credentials(login="acme", psw="p1")
    assert a == Credentials(login="acme", psw="p1")
    assert a != Credentials(login="acme", psw="p2")
    assert hash(a) == hash(Credentials(login="acme", psw="p1"))
    assert a.secrets() == ("p1",)
    assert Credentials(apikey="k").secrets() == ("k",)
