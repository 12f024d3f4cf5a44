"""Account credentials: ``login`` + ``psw``, or an ``apikey``; never both, never shown."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["Credentials"]

_ENV_NAMES = ("SMSC_APIKEY", "SMSC_LOGIN", "SMSC_PSW")


class Credentials:
    """How requests authenticate.

    >>> Credentials(login="acme", psw="secret")
    Credentials(login='acme', psw=<hidden>)
    >>> Credentials(apikey="k3y")
    Credentials(apikey=<hidden>)

    ``psw`` may also be the lower-case MD5 hex of the password, as the API allows.

    Pickling is refused (``TypeError``) rather than done without the secrets: a pickle goes
    to disk, caches, queues and other processes, where a secret must not go, and Credentials
    stripped of their secrets could not authenticate, so dropping them would only move the
    failure to some later request, far from its cause. Every route of pickle, copyreg and
    multiprocessing is closed: ``__reduce_ex__``, ``__reduce__`` and ``__getstate__`` (which
    Python 3.11+ gives every object, returning the slots, secrets included). A copy stays in
    the process and Credentials never change, so ``copy.copy``/``copy.deepcopy`` return the
    same object.

    >>> import copy, pickle
    >>> pickle.dumps(Credentials(apikey="k3y"))
    Traceback (most recent call last):
    TypeError: Credentials cannot be pickled: its secrets must not be serialised
    >>> creds = Credentials(apikey="k3y")
    >>> copy.deepcopy(creds) is creds
    True
    """

    __slots__ = ("_apikey", "_login", "_psw")

    def __init__(
        self,
        *,
        login: str | None = None,
        psw: str | None = None,
        apikey: str | None = None,
    ) -> None:
        for name, value in (("login", login), ("psw", psw), ("apikey", apikey)):
            if value is not None and not isinstance(value, str):
                raise TypeError(f"Credentials: {name} must be a str, got {type(value).__name__}")
        if apikey is not None:
            if login is not None or psw is not None:
                raise ValueError("Credentials: give either login+psw or apikey, not both")
            if not apikey:
                raise ValueError("Credentials: apikey is empty")
        elif login is None or psw is None:
            raise ValueError("Credentials: give login and psw together, or apikey")
        elif not login or not psw:
            raise ValueError("Credentials: login and psw must not be empty")
        self._login = login
        self._psw = psw
        self._apikey = apikey

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Credentials:
        """Credentials from ``SMSC_APIKEY``, or ``SMSC_LOGIN`` and ``SMSC_PSW``, in
        ``environ`` (``os.environ`` when not given: the one place the codec reads the
        environment, and only when asked). An empty variable counts as unset. What is
        missing or contradictory is a ``ValueError`` naming the variables, never a value.

        >>> Credentials.from_env({"SMSC_LOGIN": "acme", "SMSC_PSW": "secret"})
        Credentials(login='acme', psw=<hidden>)
        >>> Credentials.from_env({"SMSC_LOGIN": "acme"})
        Traceback (most recent call last):
        ValueError: SMSC_PSW is not set (SMSC_LOGIN is): set both, or SMSC_APIKEY instead
        """
        if environ is None:
            import os

            environ = os.environ
        key, login, psw = (environ.get(name) or None for name in _ENV_NAMES)
        if key is not None:
            if login is not None or psw is not None:
                pairs = (("SMSC_LOGIN", login), ("SMSC_PSW", psw))
                given = " and ".join(name for name, value in pairs if value)
                raise ValueError(f"both SMSC_APIKEY and {given} are set: set one way to authenticate")
            return cls(apikey=key)
        if login is None and psw is None:
            raise ValueError(
                "no SMSC credentials in the environment: set SMSC_APIKEY, or SMSC_LOGIN and SMSC_PSW"
            )
        if psw is None:
            raise ValueError("SMSC_PSW is not set (SMSC_LOGIN is): set both, or SMSC_APIKEY instead")
        if login is None:
            raise ValueError("SMSC_LOGIN is not set (SMSC_PSW is): set both, or SMSC_APIKEY instead")
        return cls(login=login, psw=psw)

    @property
    def login(self) -> str | None:
        return self._login

    @property
    def uses_apikey(self) -> bool:
        return self._apikey is not None

    def form_fields(self) -> list[tuple[str, str]]:
        """The auth fields of a form body. Only request building should call this."""
        if self._apikey is not None:
            return [("apikey", self._apikey)]
        assert self._login is not None and self._psw is not None
        return [("login", self._login), ("psw", self._psw)]

    def secrets(self) -> tuple[str, ...]:
        """The secret values, so that logs and errors can be checked or scrubbed."""
        return tuple(s for s in (self._psw, self._apikey) if s)

    def __repr__(self) -> str:
        if self._apikey is not None:
            return "Credentials(apikey=<hidden>)"
        return f"Credentials(login={self._login!r}, psw=<hidden>)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Credentials):
            return NotImplemented
        return (self._login, self._psw, self._apikey) == (other._login, other._psw, other._apikey)

    def __hash__(self) -> int:
        return hash((self._login, self._psw, self._apikey))

    # -- no secret leaves by serialisation (see the class docstring) -------------------------

    _REFUSED = "Credentials cannot be pickled: its secrets must not be serialised"

    def __reduce_ex__(self, protocol: object) -> str | tuple[object, ...]:
        raise TypeError(self._REFUSED)

    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError(self._REFUSED)

    def __getstate__(self) -> object:
        raise TypeError(self._REFUSED)

    def __copy__(self) -> Credentials:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> Credentials:
        return self
