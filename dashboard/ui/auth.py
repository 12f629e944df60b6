"""Access layer: deployment mode, sign-in gate for internal mode, and the mode banner."""

from __future__ import annotations

import contextlib
import importlib.util
import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from dashboard import settings
from dashboard.markdown import escape_md

# Status of a visitor in a deployment; only OPEN and SIGNED_IN may see data.
OPEN, REFUSED, SIGN_IN, DENIED, SIGNED_IN = "open", "refused", "sign_in", "denied", "signed_in"

# Keys Streamlit's st.login needs of a provider (streamlit.auth_util.validate_auth_credentials).
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
# Streamlit calls the provider configured directly in [auth] "default".
DEFAULT_PROVIDER = "default"
# The cookie secret signs Streamlit's identity cookie: whoever knows or guesses it can forge a
# sign-in. `cookie_secret_fault` holds the rule (docs/deployment-modes.md, "The cookie secret").
# 32 characters is what `secrets.token_urlsafe(24)` gives; shorter secrets make the
# signed identity cookie guessable (Streamlit itself only warns below 14 bytes).
MIN_COOKIE_SECRET = 32
MAKE_COOKIE_SECRET = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'
# The placeholders of the docs and examples, past and present; refused as written (case ignored).
PLACEHOLDER_COOKIE_SECRETS = frozenset(s.casefold() for s in (
    "REPLACE-WITH-A-LONG-RANDOM-STRING",
    "local-test-cookie-secret-0123456789abcdef",
    "<paste the output of: python -c 'import secrets; print(secrets.token_urlsafe(32))'>",
))
# A value holding one of these was typed by a person, not drawn at random: brackets of a
# template (`<…>`, `${…}`) or a word of a placeholder (case ignored). A random token of 43
# characters holds a given six-letter word by chance about once in 30 million.
PLACEHOLDER_MARKS = ("<", ">", "{", "}")
PLACEHOLDER_WORDS = ("replace", "change", "placeholder", "example", "secret", "password", "cookie",
                     "random", "qwerty")
# Shannon entropy, in bits per character, of the characters and of the steps between neighbours
# (code point differences). token_urlsafe(32) gives about 4.8 and 5.1 (never below 4.1 and 4.4 in
# 200,000 draws), 32 random hex digits about 3.6 and 4.2 (below 3.0 about once in 10,000: use
# 64); "aaaa…" gives 0 and 0, "0123456789…" 3.3 and 0.4, "changemechangeme…" 2.8 and 2.5.
MIN_SECRET_BITS = 3.0
CALLBACK_PATH = "/oauth2callback"
DOCS_PATH = "docs/deployment-modes.md"

# Strings for the i18n catalogue; keys are final, the catalogue may take them over.
TEXTS: dict[str, dict[str, str]] = {
    "uk": {
        "auth.banner_public": "Публічний режим: лише узагальнені дані, малі числа приховано.",
        "auth.banner_public_k": "Публічний режим: лише узагальнені дані, числа менші за {k} приховано.",
        "auth.banner_internal": "Внутрішній режим: дані на рівні хабів для працівників міністерства. "
                                "Не поширюйте їх за межі міністерства.",
        "auth.refused_title": "Внутрішній режим не запущено: не налаштовано постачальника входу",
        "auth.refused_body": "Внутрішній режим показує дані на рівні хабів і працює лише після входу "
                             "через постачальника ідентичності (OpenID Connect). Додайте розділ [auth] "
                             "до .streamlit/secrets.toml, як описано в {docs}, і перезапустіть застосунок.",
        "auth.refused_items": "Бракує або непридатні: {items}",
        "auth.sign_in_title": "Вхід для працівників міністерства",
        "auth.sign_in_body": "Цей застосунок працює у внутрішньому режимі. Увійдіть обліковим записом "
                             "своєї організації.",
        "auth.sign_in_button": "Увійти",
        "auth.sign_in_with": "Увійти через {provider}",
        "auth.signed_in_as": "Ви увійшли як {user}",
        "auth.sign_out_button": "Вийти",
        "auth.denied_title": "Цей обліковий запис не має доступу",
        "auth.denied_body": "Ви увійшли як {user}, але внутрішній режим відкрито лише для облікових "
                            "записів, дозволених у налаштуваннях. Вийдіть і увійдіть іншим записом.",
    },
    "en": {
        "auth.banner_public": "Public mode: aggregates only, small counts hidden.",
        "auth.banner_public_k": "Public mode: aggregates only, counts below {k} hidden.",
        "auth.banner_internal": "Internal mode: hub-level detail for ministry staff. "
                                "Do not share it outside the ministry.",
        "auth.refused_title": "Internal mode is not running: no identity provider is configured",
        "auth.refused_body": "Internal mode shows hub-level detail and runs only behind sign-in with an "
                             "OpenID Connect identity provider. Add an [auth] section to "
                             ".streamlit/secrets.toml as described in {docs}, then restart the app.",
        "auth.refused_items": "Missing or unusable: {items}",
        "auth.sign_in_title": "Sign-in for ministry staff",
        "auth.sign_in_body": "This dashboard runs in internal mode. Sign in with your organisation account.",
        "auth.sign_in_button": "Sign in",
        "auth.sign_in_with": "Sign in with {provider}",
        "auth.signed_in_as": "Signed in as {user}",
        "auth.sign_out_button": "Sign out",
        "auth.denied_title": "This account has no access",
        "auth.denied_body": "You are signed in as {user}, but internal mode is open only to the accounts "
                            "allowed in the configuration. Sign out and sign in with another account.",
    },
}

Translator = Callable[[str], str]


@dataclass(frozen=True)
class AccessState:
    """What a visitor may see: the mode, their status, and why access is refused."""

    mode: str
    status: str
    user: str = ""
    providers: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def allowed(self) -> bool:
        """True when the page may continue and show data."""
        return self.status in (OPEN, SIGNED_IN)

    @property
    def hub_detail(self) -> bool:
        """True only for a signed-in visitor of internal mode: hub-level detail may be shown."""
        return self.mode == "internal" and self.status == SIGNED_IN


def text(key: str, lang: str = "uk", t: Translator | None = None, **values: Any) -> str:
    """The string for `key`: from `t` when it knows the key, else the built-in `lang` default."""
    template = None
    if t is not None:
        with contextlib.suppress(LookupError):  # a catalogue without the key yet
            template = t(key)
    if not template or template == key:
        template = TEXTS[lang if lang in TEXTS else "uk"][key]
    return template.format(**values) if values else template


def mode_banner(mode: str, lang: str = "uk", k: int | None = None, t: Translator | None = None) -> str:
    """One sentence stating the deployment mode on screen; `k` names the suppression threshold."""
    if mode == "internal":
        return text("auth.banner_internal", lang, t)
    if k is not None:
        return text("auth.banner_public_k", lang, t, k=k)
    return text("auth.banner_public", lang, t)


def _usable_url(value: Any) -> bool:
    parsed = urlparse(value) if isinstance(value, str) else None
    return bool(parsed and parsed.scheme in ("http", "https") and parsed.netloc)


def _provider_problems(section: Mapping[str, Any], prefix: str) -> list[str]:
    problems = [f"{prefix}{key}" for key in PROVIDER_KEYS
                if not isinstance(section.get(key), str) or not section.get(key).strip()]
    if f"{prefix}server_metadata_url" not in problems and not _usable_url(section["server_metadata_url"]):
        problems.append(f"{prefix}server_metadata_url")
    return problems


def login_providers(auth: Mapping[str, Any] | None) -> tuple[str, ...]:
    """Names of the providers st.login can use: `default` for one set directly in [auth], then named ones."""
    if not auth:
        return ()
    names = [DEFAULT_PROVIDER] if any(key in auth for key in PROVIDER_KEYS) else []
    names += sorted(name for name, value in auth.items()
                    if isinstance(value, Mapping) and any(key in value for key in PROVIDER_KEYS))
    return tuple(names)


def _entropy(items: Sequence[Any]) -> float:
    """Shannon entropy of the items' frequencies, in bits per item."""
    counts, total = Counter(items).values(), len(items)
    return -sum(c / total * math.log2(c / total) for c in counts) if total else 0.0


def _repeats_a_block(value: str) -> bool:
    """True when `value` is a shorter block written again and again ("abcabcab…")."""
    return any(value[p:] == value[:-p] for p in range(1, len(value) // 2 + 1))


def cookie_secret_fault(value: Any) -> str | None:
    """Why `value` cannot sign the identity cookie, in words (never quoting it), or None when it can.

    Refused, in this order: not text or empty; shorter than MIN_COOKIE_SECRET characters (spaces
    around it ignored); a placeholder (one of PLACEHOLDER_COOKIE_SECRETS, a template bracket, or
    a word of PLACEHOLDER_WORDS); guessable: fewer than MIN_SECRET_BITS bits of entropy per
    character (which also refuses fewer than 8 distinct characters), or per step between
    neighbouring characters (sequences such as "0123…", "abcd…"), or a shorter block repeated.
    """
    if not isinstance(value, str) or not value.strip():
        return "missing"
    secret = value.strip()
    if len(secret) < MIN_COOKIE_SECRET:
        return f"shorter than {MIN_COOKIE_SECRET} characters"
    folded = secret.casefold()
    if (folded in PLACEHOLDER_COOKIE_SECRETS or any(mark in secret for mark in PLACEHOLDER_MARKS)
            or any(word in folded for word in PLACEHOLDER_WORDS)):
        return "a placeholder, not a random value"
    steps = [ord(b) - ord(a) for a, b in zip(secret, secret[1:])]
    if (_entropy(secret) < MIN_SECRET_BITS or _entropy(steps) < MIN_SECRET_BITS
            or _repeats_a_block(secret)):
        return "too predictable to be random"
    return None


def auth_problems(auth: Mapping[str, Any] | None) -> tuple[str, ...]:
    """What keeps an [auth] section from working with st.login, as key names (never values)."""
    if not auth:
        return ("[auth]",)
    problems = []
    redirect = auth.get("redirect_uri")
    if not _usable_url(redirect) or not str(redirect).endswith(CALLBACK_PATH):
        problems.append("redirect_uri")
    fault = cookie_secret_fault(auth.get("cookie_secret"))
    if fault:
        problems.append(f"cookie_secret ({fault}; make one with `{MAKE_COOKIE_SECRET}`)")
    providers = login_providers(auth)
    if not providers:
        problems.extend(PROVIDER_KEYS)
    for name in providers:
        if name == DEFAULT_PROVIDER:
            problems += _provider_problems(auth, "")
        else:
            problems += _provider_problems(auth[name], f"{name}.")
            if "_" in name:
                problems.append(f"[auth.{name}]: no underscore")
    return tuple(problems)


def display_name(user: Mapping[str, Any]) -> str:
    """How to name a signed-in user: name and e-mail when both are known, else whichever exists."""
    name = str(user.get("name") or user.get("preferred_username") or "").strip()
    email = str(user.get("email") or "").strip()
    if name and email and name != email:
        return f"{name} ({email})"
    return name or email or str(user.get("sub") or "?")


def _lowered(section: Mapping[str, Any] | None, key: str) -> set[str]:
    values = (section or {}).get(key) or []
    values = [values] if isinstance(values, str) else values  # one value written without brackets
    return {str(v).strip().lower() for v in values if str(v).strip()}


def is_permitted(user: Mapping[str, Any], access: Mapping[str, Any] | None) -> bool:
    """Whether the allow-list in [access] admits the user; no list admits everyone the provider signs in.

    With a list, the e-mail counts only when the provider marks it verified (`email_verified` is
    the boolean True).
    """
    emails = _lowered(access, "allowed_emails")
    domains = {d.lstrip("@") for d in _lowered(access, "allowed_domains")}
    if not emails and not domains:
        return True
    email = str(user.get("email") or "").strip().lower()
    # Only the JSON boolean true vouches for the address: a provider that leaves the claim out,
    # or sends "true"/"false" as text, 1 or null, has not said it checked the address.
    if not email or user.get("email_verified") is not True:
        return False
    return email in emails or email.rpartition("@")[2] in domains


def decide_access(mode: str, auth: Mapping[str, Any] | None, user: Mapping[str, Any] | None,
                  access: Mapping[str, Any] | None = None, authlib_ok: bool = True) -> AccessState:
    """The access state for a mode, an [auth] section, the current st.user and an optional allow-list.

    Fails closed: an unknown mode or an unusable [auth] section refuses internal access.
    """
    if mode == "public":
        return AccessState("public", OPEN)
    if mode != "internal":
        return AccessState(mode, REFUSED, problems=("DASHBOARD_MODE",))
    problems = auth_problems(auth) + (() if authlib_ok else ("Authlib",))
    if problems:
        return AccessState(mode, REFUSED, problems=problems)
    providers = login_providers(auth)
    user = user or {}
    if user.get("is_logged_in") is not True:
        return AccessState(mode, SIGN_IN, providers=providers)
    status = SIGNED_IN if is_permitted(user, access) else DENIED
    return AccessState(mode, status, user=display_name(user), providers=providers)


# --- Streamlit layer: thin calls only; streamlit is imported lazily so the rules above
# stay importable (and testable) without it.

def _plain(section: Any) -> dict[str, Any] | None:
    if not isinstance(section, Mapping):
        return None
    return {key: _plain(value) if isinstance(value, Mapping) else value for key, value in section.items()}


def _secrets_section(name: str) -> dict[str, Any] | None:
    import streamlit as st

    try:
        return _plain(st.secrets.get(name))
    except FileNotFoundError:  # no secrets.toml at all, or one that does not parse
        return None


def current_access() -> AccessState:
    """The access state of this session, read from settings, st.secrets and st.user."""
    import streamlit as st

    try:
        mode = settings.mode()
    except ValueError:
        return AccessState("invalid", REFUSED, problems=("DASHBOARD_MODE",))
    if mode == "public":
        return decide_access(mode, None, None)
    return decide_access(mode, _secrets_section("auth"), st.user.to_dict(),
                         _secrets_section("access"), importlib.util.find_spec("authlib") is not None)


def _show_blocked(state: AccessState, lang: str, t: Translator | None) -> None:
    import streamlit as st

    if state.status == REFUSED:
        st.error(text("auth.refused_title", lang, t))
        st.write(text("auth.refused_body", lang, t, docs=DOCS_PATH))
        st.caption(text("auth.refused_items", lang, t, items=", ".join(state.problems)))
        return
    st.info(mode_banner(state.mode, lang, t=t))
    if state.status == DENIED:
        st.warning(text("auth.denied_title", lang, t))
        st.write(escape_md(text("auth.denied_body", lang, t, user=state.user)))
        _sign_out_button(lang, t, st)
        return
    st.subheader(text("auth.sign_in_title", lang, t))
    st.write(text("auth.sign_in_body", lang, t))
    for name in state.providers:
        label = (text("auth.sign_in_button", lang, t) if len(state.providers) == 1
                 else text("auth.sign_in_with", lang, t, provider=name))
        if st.button(label, key=f"auth_sign_in_{name}", type="primary"):
            st.login(None if name == DEFAULT_PROVIDER else name)


def _sign_out_button(lang: str, t: Translator | None, place: Any) -> None:
    import streamlit as st

    if place.button(text("auth.sign_out_button", lang, t), key="auth_sign_out"):
        st.logout()
        st.stop()  # st.logout only queues the redirect; render nothing more in this run


def gate(lang: str = "uk", t: Translator | None = None, *, place: Any = None,
         banner: bool = True, k: int | None = None) -> AccessState:
    """Entry-file gate: returns the state when data may be shown, otherwise shows why and stops.

    Public mode passes. Internal mode without a usable [auth] section shows a refusal page,
    without sign-in a sign-in screen; both call st.stop(). Signed in, it writes who is
    signed in and a sign-out button into `place` (default: the main area, e.g. st.sidebar).
    `banner` also writes the mode banner there (naming `k`, the suppression threshold in force,
    in public mode).
    """
    import streamlit as st

    state = current_access()
    if not state.allowed:
        _show_blocked(state, lang, t)
        st.stop()
    place = place if place is not None else st
    if banner:
        place.caption(mode_banner(state.mode, lang, k if state.mode == "public" else None, t))
    if state.status == SIGNED_IN:
        place.caption(escape_md(text("auth.signed_in_as", lang, t, user=state.user)))
        _sign_out_button(lang, t, place)
    return state


def guard_page(lang: str = "uk", t: Translator | None = None) -> AccessState:
    """Page-file guard: silent when access is allowed, otherwise the same screens as `gate` and a stop.

    Streamlit runs a file in `pages/` on its own, without the entry file, when the first request
    after a server start is a deep link to it; this keeps such a run from showing data.
    """
    import streamlit as st

    state = current_access()
    if not state.allowed:
        _show_blocked(state, lang, t)
        st.stop()
    return state
