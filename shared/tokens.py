"""Offline verification of the auth service's RS256 access tokens.

Every service verifies tokens itself with the public keys from auth's JWKS: RS256 only,
`typ: at+jwt`, `exp`/`iat`/`iss`/`sub` required, a small leeway. Keys are cached; an unknown
`kid` triggers a refetch, at most once per `min_refresh_interval`, so a flood of forged kids
cannot turn into a flood of JWKS requests.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jwt
import requests
from jwt.algorithms import RSAAlgorithm

from shared.errors import ServiceUnavailable, Unauthorized

ALGORITHM = "RS256"
ACCESS_TOKEN_TYP = "at+jwt"  # noqa: S105 - a media type, not a secret
REQUIRED_CLAIMS = ("exp", "iat", "iss", "sub")


class KeySource:
    """Where verification keys come from: `key_for(kid)` returns a public key or None."""

    def key_for(self, kid: str) -> Any | None:  # pragma: no cover - interface
        raise NotImplementedError


class StaticKeySource(KeySource):
    """Keys given directly (auth verifying its own tokens, unit tests)."""

    def __init__(self, jwks: dict[str, Any] | Callable[[], dict[str, Any]]) -> None:
        self._jwks = jwks

    def key_for(self, kid: str) -> Any | None:
        jwks = self._jwks() if callable(self._jwks) else self._jwks
        return _index(jwks).get(kid)


def _index(jwks: dict[str, Any]) -> dict[str, Any]:
    keys = {}
    for jwk in jwks.get("keys", []):
        if jwk.get("kty") == "RSA" and jwk.get("kid") and jwk.get("use", "sig") == "sig":
            keys[jwk["kid"]] = RSAAlgorithm.from_jwk(jwk)
    return keys


class JWKSKeySource(KeySource):
    """Fetches and caches a JWKS over HTTP; refetches on unknown kid, bounded in rate."""

    def __init__(self, url: str, *, timeout: float = 3.0, max_age: float = 600.0,
                 min_refresh_interval: float = 10.0, failure_retry_interval: float = 1.0,
                 session: requests.Session | None = None) -> None:
        self.url = url
        self.timeout = timeout
        self.max_age = max_age
        self.min_refresh_interval = min_refresh_interval
        # After a failed fetch, try again sooner: the issuer was busy or restarting, and
        # until it answers no token of its can be verified.
        self.failure_retry_interval = min(failure_retry_interval, min_refresh_interval)
        self._failed = False
        self._session = session or requests.Session()
        self._keys: dict[str, Any] = {}
        self._fetched_at = 0.0
        self._lock = threading.Lock()
        self.fetch_count = 0

    def _fetch(self) -> None:
        try:
            resp = self._session.get(self.url, timeout=self.timeout)
            resp.raise_for_status()
            keys = _index(resp.json())
        except Exception as exc:  # unreachable, not JSON, or keys that do not parse
            self._fetched_at = time.monotonic()  # back off even on failure
            self._failed = True
            if not self._keys:
                raise ServiceUnavailable("The token issuer's keys cannot be fetched.") from exc
            return
        self.fetch_count += 1
        self._keys = keys
        self._fetched_at = time.monotonic()
        self._failed = False

    def key_for(self, kid: str) -> Any | None:
        now = time.monotonic()
        stale = now - self._fetched_at > self.max_age
        if kid in self._keys and not stale:
            return self._keys[kid]
        with self._lock:
            now = time.monotonic()
            interval = (self.failure_retry_interval if self._failed
                        else self.min_refresh_interval)
            due = not self._fetched_at or now - self._fetched_at >= interval
            if (kid not in self._keys or stale) and due:
                self._fetch()
        found = self._keys.get(kid)
        if found is None and self._failed:
            # The issuer could not be asked: whether this kid is real is unknown, so the
            # answer is "try again" (503), never "your token is bad" (401).
            raise ServiceUnavailable("The token issuer's keys cannot be fetched.")
        return found


@dataclass(frozen=True)
class RoleGrant:
    """One role held over an org unit's subtree, as carried in the token."""

    role: str
    org: str
    path: str
    permissions: frozenset[str] = frozenset()
    valid_to: str | None = None


@dataclass(frozen=True)
class Principal:
    """Who is calling: a user (roles over org scopes) or a client (flat scope)."""

    sub: str
    kind: str  # "user" | "client"
    emp: str | None
    roles: tuple[RoleGrant, ...]
    scope: frozenset[str]
    jti: str | None
    claims: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    token: str = field(default="", compare=False, repr=False)

    @classmethod
    def from_claims(cls, claims: dict[str, Any], token: str = "") -> Principal:
        roles = tuple(
            RoleGrant(role=r["role"], org=r["org"], path=r["path"],
                      permissions=frozenset(r.get("permissions") or ()),
                      valid_to=r.get("valid_to"))
            for r in claims.get("roles") or ()
            if isinstance(r, dict) and {"role", "org", "path"} <= r.keys()
        )
        scope = frozenset((claims.get("scope") or "").split())
        # auth stamps `token_kind`; a token without it is a client's only if it has no roles.
        kind = claims.get("token_kind")
        if kind not in {"user", "client"}:
            kind = "client" if "scope" in claims and not roles else "user"
        return cls(sub=str(claims["sub"]), kind=kind, emp=claims.get("emp"), roles=roles,
                   scope=scope, jti=claims.get("jti"), claims=claims, token=token)


def forget_oldest(memory: dict[Any, Any], size: int) -> None:
    """Make room in a full memory of verified tokens: its oldest quarter goes (a dict keeps
    insertion order). Emptying it all made every caller of the moment verify again at once,
    and which callers survived depended on nothing they did. The caller holds its lock."""
    for key in list(memory)[:size // 4]:
        memory.pop(key, None)


class TokenVerifier:
    #: How many verified tokens to remember (their principal is reused until `exp` + leeway).
    CACHE_SIZE = 4096

    def __init__(self, *, issuer: str, keys: KeySource, leeway: int = 10,
                 clock: Callable[[], float] = time.time) -> None:
        self.issuer = issuer
        self.keys = keys
        self.leeway = leeway
        self._clock = clock
        self._verified: dict[str, tuple[float, Principal]] = {}
        self._evicting = threading.Lock()

    def verify(self, token: str) -> dict[str, Any]:
        """Return the claims of a valid access token; raise `Unauthorized` otherwise."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Unauthorized("The token is malformed.") from exc
        if header.get("alg") != ALGORITHM:
            raise Unauthorized("The token's algorithm is not accepted.")
        if header.get("typ") != ACCESS_TOKEN_TYP:
            raise Unauthorized("The token is not an access token.")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise Unauthorized("The token names no key.")
        key = self.keys.key_for(kid)
        if key is None:
            raise Unauthorized("The token was signed by an unknown key.")
        try:
            return jwt.decode(
                token, key=key, algorithms=[ALGORITHM], issuer=self.issuer,
                leeway=self.leeway,
                options={"require": list(REQUIRED_CLAIMS), "verify_aud": False},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("The token has expired.") from exc
        except jwt.PyJWTError as exc:
            raise Unauthorized("The token is invalid.") from exc

    def principal(self, token: str) -> Principal:
        """The caller behind a valid token.

        A client sends the same token for its whole life; re-verifying the signature on every
        request cost a quarter of a millisecond. A token verified once is trusted until its
        `exp` (+ leeway) — exactly as long as verifying it again would trust it.
        """
        hit = self._verified.get(token)
        if hit is not None and self._clock() < hit[0]:
            return hit[1]
        found = Principal.from_claims(self.verify(token), token)
        if len(self._verified) >= self.CACHE_SIZE:
            self._forget_oldest()
        self._verified[token] = (float(found.claims["exp"]) + self.leeway, found)
        return found

    def _forget_oldest(self) -> None:
        with self._evicting:
            if len(self._verified) >= self.CACHE_SIZE:  # no other thread made room meanwhile
                forget_oldest(self._verified, self.CACHE_SIZE)

    def remembered(self, token: str) -> Principal | None:
        """The caller behind `token` if this verifier verified it before and still trusts it,
        else None — never verifies (`shared.direct`'s lanes leave that to Flask's path)."""
        hit = self._verified.get(token)
        if hit is not None and self._clock() < hit[0]:
            return hit[1]
        return None

    def trusted_until(self, token: str) -> float:
        """Until when (epoch seconds, this verifier's clock) `token` is trusted without being
        verified again: its `exp` + leeway once verified, 0 when not remembered."""
        hit = self._verified.get(token)
        return hit[0] if hit is not None else 0.0


def bearer_token(authorization: str | None) -> str:
    """The token from an `Authorization: Bearer …` header, or 401."""
    if not authorization:
        raise Unauthorized("A bearer token is required.", error=None)
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("A bearer token is required.", error="invalid_request")
    return token.strip()
