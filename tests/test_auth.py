"""Access-layer tests: mode decisions, the gate in AppTest, and sign-in against a real OIDC provider."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest
import streamlit
from streamlit.runtime.secrets import Secrets
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.util import patch_config_options

from dashboard.ui import auth

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "tests" / "apps" / "auth_app.py"
GATED_APP = ROOT / "tests" / "apps" / "gated" / "streamlit_app.py"
OIDC_DIR = ROOT / "tests" / "oidc"
MARKER = "HUB-LEVEL-DATA"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
WAIT_MS = 30_000  # 2 cores: a cold Streamlit page or a provider redirect can take seconds

# A value of secrets.token_urlsafe(32), drawn once and written here.
GOOD_SECRET = "qSSGeG3b-PCS39vCVFzPv_XfpwJafjbnK1Tl7mheV2I"
VALID_AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": GOOD_SECRET,
              "client_id": "dashboard", "client_secret": "s3cret",
              "server_metadata_url": "https://id.example.org/.well-known/openid-configuration"}
SIGNED_IN = {"is_logged_in": True, "name": "Olena", "email": "olena@mon.example.org", "email_verified": True}


def _without(mapping, *keys):
    return {k: v for k, v in mapping.items() if k not in keys}


# --- the rules, without Streamlit ------------------------------------------------------

@pytest.mark.parametrize(("mode", "auth_section", "user", "access", "status", "problems"), [
    ("public", None, None, None, auth.OPEN, ()),
    ("public", VALID_AUTH, {"is_logged_in": False}, None, auth.OPEN, ()),
    ("internal", None, None, None, auth.REFUSED, ("[auth]",)),
    ("internal", {}, SIGNED_IN, None, auth.REFUSED, ("[auth]",)),
    ("internal", _without(VALID_AUTH, "client_secret"), SIGNED_IN, None, auth.REFUSED, ("client_secret",)),
    ("internal", VALID_AUTH, None, None, auth.SIGN_IN, ()),
    ("internal", VALID_AUTH, {"email": "test@example.com"}, None, auth.SIGN_IN, ()),
    ("internal", VALID_AUTH, {"is_logged_in": "true"}, None, auth.SIGN_IN, ()),
    ("internal", VALID_AUTH, SIGNED_IN, None, auth.SIGNED_IN, ()),
    ("internal", VALID_AUTH, SIGNED_IN, {"allowed_domains": ["mon.example.org"]}, auth.SIGNED_IN, ()),
    ("internal", VALID_AUTH, SIGNED_IN, {"allowed_domains": ["other.example.org"]}, auth.DENIED, ()),
    ("Internal", VALID_AUTH, SIGNED_IN, None, auth.REFUSED, ("DASHBOARD_MODE",)),
])
def test_decide_access(mode, auth_section, user, access, status, problems):
    state = auth.decide_access(mode, auth_section, user, access)
    assert (state.status, state.problems) == (status, problems)
    assert state.allowed == (status in (auth.OPEN, auth.SIGNED_IN))
    assert state.hub_detail == (status == auth.SIGNED_IN)


def test_decide_access_names_the_user_and_needs_authlib():
    state = auth.decide_access("internal", VALID_AUTH, SIGNED_IN)
    assert (state.user, state.providers) == ("Olena (olena@mon.example.org)", ("default",))
    state = auth.decide_access("internal", VALID_AUTH, SIGNED_IN, authlib_ok=False)
    assert (state.status, state.problems) == (auth.REFUSED, ("Authlib",))


NAMED = {"redirect_uri": VALID_AUTH["redirect_uri"], "cookie_secret": GOOD_SECRET,
         "keycloak": _without(VALID_AUTH, "redirect_uri", "cookie_secret")}


@pytest.mark.parametrize(("section", "problems"), [
    (VALID_AUTH, ()),
    (NAMED, ()),
    ({**VALID_AUTH, "redirect_uri": "http://localhost:{port}/oauth2callback"}, ()),
    ({**VALID_AUTH, "redirect_uri": "http://localhost:8501/"}, ("redirect_uri",)),
    ({**VALID_AUTH, "redirect_uri": "localhost:8501/oauth2callback"}, ("redirect_uri",)),
    ({**VALID_AUTH, "cookie_secret": "xxx"}, ("cookie_secret (shorter than 32 characters; make one with "
                                               '`python -c "import secrets; print(secrets.token_urlsafe(32))"`)',)),
    ({**VALID_AUTH, "cookie_secret": "REPLACE-WITH-A-LONG-RANDOM-STRING"},
     ("cookie_secret (a placeholder, not a random value; make one with "
      '`python -c "import secrets; print(secrets.token_urlsafe(32))"`)',)),
    ({**VALID_AUTH, "cookie_secret": "c" * 40}, ("cookie_secret (too predictable to be random; make one with "
                                                 '`python -c "import secrets; print(secrets.token_urlsafe(32))"`)',)),
    ({**VALID_AUTH, "client_id": " "}, ("client_id",)),
    ({**VALID_AUTH, "server_metadata_url": "id.example.org"}, ("server_metadata_url",)),
    (_without(VALID_AUTH, "client_id", "client_secret", "server_metadata_url"),
     ("client_id", "client_secret", "server_metadata_url")),
    ({**NAMED, "keycloak": _without(NAMED["keycloak"], "client_secret")}, ("keycloak.client_secret",)),
    ({**_without(NAMED, "keycloak"), "my_idp": NAMED["keycloak"]}, ("[auth.my_idp]: no underscore",)),
    (None, ("[auth]",)),
])
def test_auth_problems(section, problems):
    assert auth.auth_problems(section) == problems


# The rule of docs/deployment-modes.md ("The cookie secret"), case by case; expected words by hand.
SHORT, PLACEHOLDER, GUESSABLE = ("shorter than 32 characters", "a placeholder, not a random value",
                                 "too predictable to be random")


@pytest.mark.parametrize(("secret", "fault"), [
    # good: random values of the documented generator and of hex generators
    (GOOD_SECRET, None),
    ("a525be3bda79b2b834b206c61ea370508860975de579482067857e142a4d833c", None),  # token_hex(32)
    ("5e8d8a81d2319be86a466b19e23f087c", None),  # token_hex(16): 32 characters, still accepted
    (f"  {GOOD_SECRET}\n", None),  # spaces around it are ignored
    # missing or short
    (None, "missing"), ("", "missing"), ("   ", "missing"), (12345678901234567890123456789012345, "missing"),
    ("xxx", SHORT), (GOOD_SECRET[:31], SHORT),
    # the placeholders of the docs and examples, as written and in another case
    ("REPLACE-WITH-A-LONG-RANDOM-STRING", PLACEHOLDER),
    ("replace-with-a-long-random-string", PLACEHOLDER),
    ("local-test-cookie-secret-0123456789abcdef", PLACEHOLDER),
    ("<paste the output of: python -c 'import secrets; print(secrets.token_urlsafe(32))'>", PLACEHOLDER),
    ('<paste the output of: python -c "import secrets; print(secrets.token_urlsafe(32))">', PLACEHOLDER),
    ('python -c "import secrets; print(secrets.token_urlsafe(32))"', PLACEHOLDER),
    # placeholder words and template brackets around otherwise random characters
    ("changeme-Zq81vLx0Pw3kTn6Ry2Hd9Mf4Bs7Gc5Ja", PLACEHOLDER),
    ("my-cookie-secret-for-the-hub-dashboard-2024", PLACEHOLDER),
    ("Secret_Zq81vLx0Pw3kTn6Ry2Hd9Mf4Bs7Gc5JaUe", PLACEHOLDER),
    ("ExamplE-Zq81vLx0Pw3kTn6Ry2Hd9Mf4Bs7Gc5JaU", PLACEHOLDER),
    ("${COOKIE}-Zq81vLx0Pw3kTn6Ry2Hd9Mf4Bs7Gc5Ja", PLACEHOLDER),
    ("<Zq81vLx0Pw3kTn6Ry2Hd9Mf4Bs7Gc5JaUe1>", PLACEHOLDER),
    ("qwertyuiopasdfghjklzxcvbnm1234567890", PLACEHOLDER),
    # low entropy: few characters, sequences, repetitions
    ("c" * 40, GUESSABLE),
    ("a" * 64, GUESSABLE),
    ("abababababababababababababababab", GUESSABLE),
    ("aaaabbbbccccddddeeeeffffgggghhhh", GUESSABLE),  # 8 characters, 3.0 bits each, but steps of 0 and 1
    ("0123456789abcdef0123456789abcdef", GUESSABLE),
    ("01234567890123456789012345678901", GUESSABLE),
    ("abcdefghijklmnopqrstuvwxyz0123456789", GUESSABLE),
    ("zyxwvutsrqponmlkjihgfedcba9876543210", GUESSABLE),
    ("Xk2#pQ9!zXk2#pQ9!zXk2#pQ9!zXk2#pQ9!z", GUESSABLE),  # a 9-character block four times
    ("1111111122222222333333334444444455", GUESSABLE),
])
def test_cookie_secret_fault(secret, fault):
    assert auth.cookie_secret_fault(secret) == fault


def test_a_fresh_secret_of_the_documented_command_is_accepted():
    for _ in range(200):
        assert auth.cookie_secret_fault(secrets.token_urlsafe(32)) is None


def test_the_docs_show_only_refused_cookie_secrets():
    docs = (ROOT / auth.DOCS_PATH).read_text(encoding="utf-8")
    blocks = [tomllib.loads(b) for b in re.findall(r"^```toml\n(.*?)^```", docs, flags=re.MULTILINE | re.DOTALL)]
    shown = [b["auth"]["cookie_secret"] for b in blocks if "cookie_secret" in b.get("auth", {})]
    assert shown == ["<paste the output of: python -c 'import secrets; print(secrets.token_urlsafe(32))'>"] * 2
    assert all(auth.cookie_secret_fault(value) == "a placeholder, not a random value" for value in shown)
    assert auth.MAKE_COOKIE_SECRET in docs


@pytest.mark.parametrize(("section", "providers"), [
    (VALID_AUTH, ("default",)),
    (NAMED, ("keycloak",)),
    ({**NAMED, "entra": NAMED["keycloak"]}, ("entra", "keycloak")),
    ({**VALID_AUTH, "entra": NAMED["keycloak"]}, ("default", "entra")),
    ({"redirect_uri": "x", "client_kwargs": {"prompt": "login"}}, ()),
])
def test_login_providers(section, providers):
    assert auth.login_providers(section) == providers


@pytest.mark.parametrize(("user", "access", "permitted"), [
    (SIGNED_IN, None, True),
    (SIGNED_IN, {"allowed_emails": ["Olena@MON.example.org"]}, True),
    (SIGNED_IN, {"allowed_domains": ["@mon.example.org"]}, True),
    (SIGNED_IN, {"allowed_domains": ["example.org"]}, False),
    (SIGNED_IN, {"allowed_domains": "mon.example.org"}, True),
    ({**SIGNED_IN, "email_verified": False}, {"allowed_domains": ["mon.example.org"]}, False),
    (_without(SIGNED_IN, "email"), {"allowed_domains": ["mon.example.org"]}, False),
])
def test_is_permitted(user, access, permitted):
    assert auth.is_permitted(user, access) is permitted


LISTS = [{"allowed_emails": ["olena@mon.example.org"]}, {"allowed_domains": ["mon.example.org"]},
         {"allowed_emails": ["olena@mon.example.org"], "allowed_domains": ["mon.example.org"]}]


@pytest.mark.parametrize("access", LISTS)
@pytest.mark.parametrize(("verified", "permitted"), [
    (True, True),
    (False, False), ("false", False), ("False", False), ("true", False), ("True", False),
    (1, False), (0, False), (None, False), ("", False), ([True], False), ("missing", False),
])
def test_an_allow_list_admits_only_a_verified_email(access, verified, permitted):
    user = _without(SIGNED_IN, "email_verified") if verified == "missing" else {**SIGNED_IN, "email_verified": verified}
    assert auth.is_permitted(user, access) is permitted
    state = auth.decide_access("internal", VALID_AUTH, user, access)
    assert (state.status, state.allowed, state.hub_detail) == (
        (auth.SIGNED_IN, True, True) if permitted else (auth.DENIED, False, False))


def test_without_an_allow_list_the_provider_alone_decides():
    user = _without(SIGNED_IN, "email_verified")
    assert auth.is_permitted(user, None) is True
    assert auth.decide_access("internal", VALID_AUTH, user).status == auth.SIGNED_IN


@pytest.mark.parametrize(("user", "name"), [
    ({"name": "Olena", "email": "o@x.org"}, "Olena (o@x.org)"), ({"email": "o@x.org"}, "o@x.org"),
    ({"preferred_username": "olena"}, "olena"), ({"sub": "42"}, "42"),
    ({"name": "o@x.org", "email": "o@x.org"}, "o@x.org"),
])
def test_display_name(user, name):
    assert auth.display_name(user) == name


@pytest.mark.parametrize(("mode", "lang", "k", "banner"), [
    ("public", "uk", None, "Публічний режим: лише узагальнені дані, малі числа приховано."),
    ("public", "en", None, "Public mode: aggregates only, small counts hidden."),
    ("public", "en", 10, "Public mode: aggregates only, counts below 10 hidden."),
    ("public", "xx", None, "Публічний режим: лише узагальнені дані, малі числа приховано."),
    ("internal", "uk", None, "Внутрішній режим: дані на рівні хабів для працівників міністерства. "
                             "Не поширюйте їх за межі міністерства."),
])
def test_mode_banner(mode, lang, k, banner):
    assert auth.mode_banner(mode, lang, k) == banner


def test_texts_exist_in_both_languages_and_a_translator_wins_per_key():
    catalogue = {"auth.sign_in_button": "Log in", "auth.signed_in_as": "Hi {user}"}
    translate = lambda key: catalogue.get(key, key)  # noqa: E731 - a catalogue's usual miss: the key
    assert auth.text("auth.sign_in_button", "en", translate) == "Log in"
    assert auth.text("auth.signed_in_as", "en", translate, user="Olena") == "Hi Olena"
    assert auth.text("auth.sign_out_button", "en", translate) == "Sign out"
    assert auth.text("auth.sign_out_button", "uk", {}.__getitem__) == "Вийти"  # a catalogue that raises
    assert set(auth.TEXTS["uk"]) == set(auth.TEXTS["en"])


# --- the gate in a Streamlit script (AppTest) ------------------------------------------

def _app(monkeypatch, mode, *, auth_section=None, user=None, lang=None, script=APP, access=None):
    monkeypatch.setenv("DASHBOARD_MODE", mode)
    at = AppTest.from_file(str(script), default_timeout=30)
    # A non-empty dict makes AppTest use these secrets instead of any secrets.toml on disk.
    at.secrets = {"unrelated": "x"} if auth_section is None else {"auth": auth_section}
    if access is not None:
        at.secrets["access"] = access
    at.user = user if user is not None else {"email": "test@example.com"}
    if lang:
        at.query_params["lang"] = lang
    return at.run()


def _shows(at, needle):
    return any(needle in e.value for kind in ("markdown", "caption", "error", "info", "warning")
               for e in getattr(at, kind))


def test_public_mode_shows_data_and_states_the_mode(monkeypatch):
    at = _app(monkeypatch, "public", auth_section=VALID_AUTH)
    assert not at.exception and _shows(at, MARKER)
    assert _shows(at, "Публічний режим")
    assert not at.button


def test_internal_without_auth_section_refuses(monkeypatch):
    at = _app(monkeypatch, "internal", user=SIGNED_IN)
    assert not at.exception and not _shows(at, MARKER)
    assert at.error[0].value == auth.TEXTS["uk"]["auth.refused_title"]
    assert _shows(at, auth.DOCS_PATH)


def test_internal_without_any_secrets_file_refuses(monkeypatch, tmp_path):
    monkeypatch.setenv("DASHBOARD_MODE", "internal")
    monkeypatch.setattr(streamlit, "secrets", Secrets())
    at = AppTest.from_file(str(APP), default_timeout=30)
    with patch_config_options({"secrets.files": [str(tmp_path / "absent.toml")]}):
        at.run()
    assert not at.exception and not _shows(at, MARKER)
    assert at.error[0].value == auth.TEXTS["uk"]["auth.refused_title"]


def test_internal_with_incomplete_auth_names_what_is_missing(monkeypatch):
    at = _app(monkeypatch, "internal", auth_section=_without(VALID_AUTH, "client_secret"), lang="en")
    assert not _shows(at, MARKER)
    assert at.error[0].value == auth.TEXTS["en"]["auth.refused_title"]
    assert _shows(at, "Missing or unusable: client_secret")
    assert not _shows(at, VALID_AUTH["cookie_secret"])


@pytest.mark.parametrize("secret", ["REPLACE-WITH-A-LONG-RANDOM-STRING", "local-test-cookie-secret-0123456789abcdef",
                                    "c" * 40])
def test_internal_with_a_placeholder_cookie_secret_refuses_and_says_how_to_make_one(monkeypatch, secret):
    at = _app(monkeypatch, "internal", auth_section={**VALID_AUTH, "cookie_secret": secret},
              user=dict(SIGNED_IN), lang="en")
    assert not at.exception and not _shows(at, MARKER)
    assert at.error[0].value == auth.TEXTS["en"]["auth.refused_title"]
    assert _shows(at, "Missing or unusable: cookie_secret (")
    assert _shows(at, "secrets.token_urlsafe(32)")
    assert not at.button  # no sign-in button: a forged cookie has nothing to sign in to
    assert not _shows(at, secret)


def test_internal_refuses_an_unverified_email_with_the_denied_screen(monkeypatch):
    user = {**SIGNED_IN, "email_verified": "false"}
    at = _app(monkeypatch, "internal", auth_section=VALID_AUTH, user=user,
              access={"allowed_domains": ["mon.example.org"]})
    assert not _shows(at, MARKER)
    assert at.warning[0].value == auth.TEXTS["uk"]["auth.denied_title"]
    assert [b.label for b in at.button] == ["Вийти"]


def test_internal_signed_out_shows_sign_in(monkeypatch):
    at = _app(monkeypatch, "internal", auth_section=VALID_AUTH, user={"is_logged_in": False})
    assert not at.exception and not _shows(at, MARKER)
    assert [b.label for b in at.button] == ["Увійти"]
    assert _shows(at, "Внутрішній режим")


def test_internal_signed_in_shows_data_then_signs_out(monkeypatch):
    at = _app(monkeypatch, "internal", auth_section=VALID_AUTH, user=dict(SIGNED_IN), lang="en")
    assert not at.exception and _shows(at, MARKER)
    assert _shows(at, "Signed in as Olena")
    assert _shows(at, "Internal mode")
    at.button(key="auth_sign_out").click().run()
    assert not _shows(at, MARKER)
    at.run()
    assert not _shows(at, MARKER)
    assert [b.label for b in at.button] == ["Sign in"]


def test_internal_refuses_an_account_outside_the_allow_list(monkeypatch):
    at = _app(monkeypatch, "internal", auth_section=VALID_AUTH, user=dict(SIGNED_IN),
              access={"allowed_domains": ["other.example.org"]})
    assert not _shows(at, MARKER)
    assert at.warning[0].value == auth.TEXTS["uk"]["auth.denied_title"]
    assert [b.label for b in at.button] == ["Вийти"]


def test_invalid_mode_refuses(monkeypatch):
    at = _app(monkeypatch, "intrnal", auth_section=VALID_AUTH, user=dict(SIGNED_IN))
    assert not at.exception and not _shows(at, MARKER)
    assert _shows(at, "DASHBOARD_MODE")


def test_guard_page_stops_a_page_run_on_its_own(monkeypatch):
    page = GATED_APP.parent / "pages" / "hubs.py"
    refused = _app(monkeypatch, "internal", script=page)
    assert not refused.exception and not _shows(refused, MARKER)
    allowed = _app(monkeypatch, "internal", auth_section=VALID_AUTH, user=dict(SIGNED_IN), script=page)
    assert _shows(allowed, MARKER) and not allowed.button  # no second sign-out button


# --- end to end: Streamlit + a real OpenID Connect provider + Chromium ------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{url}: process exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2):
            return  # any answer below 400; urlopen raises an OSError for the others
        time.sleep(0.25)
    pytest.fail(f"{url} did not answer within {timeout} s:\n{log.read_text()[-3000:]}")


@contextlib.contextmanager
def _process(cmd: list[str], *, cwd: Path, env: dict[str, str], log: Path):
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=out,
                                stderr=subprocess.STDOUT)
        try:
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def _ensure_node_modules() -> None:
    if (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
        return
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        pytest.skip("npm/node not installed: the sign-in test runs the OIDC provider in tests/oidc")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=OIDC_DIR, check=True, timeout=300)


def _streamlit(script: Path, home: Path, port: int, log: Path):
    env = {**os.environ, "DASHBOARD_MODE": "internal", "HOME": str(home),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    cmd = [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true",
           "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    return _process(cmd, cwd=home, env=env, log=log)


@contextlib.contextmanager
def _browser_page():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: apt-get install -y --no-install-recommends chromium")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context()
            # Nothing outside this machine: the provider's pages import a web font.
            context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda route: route.abort())
            page = context.new_page()
            page.set_default_timeout(WAIT_MS)
            yield page
        finally:
            browser.close()


@pytest.fixture
def signed_app(tmp_path):
    """A Streamlit app in internal mode, configured against a local OIDC provider; yields (app, issuer)."""
    _ensure_node_modules()
    app_port, op_port = _free_port(), _free_port()
    app, issuer = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{op_port}"
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(
        f'[auth]\nredirect_uri = "{app}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
        f'client_id = "hub-dashboard"\nclient_secret = "hub-dashboard-test-secret-0123456789"\n'
        f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n', encoding="utf-8")
    op_env = {**os.environ, "OIDC_EXIT_WITH_STDIN": "1"}
    op_cmd = ["node", "provider.js", "--port", str(op_port), "--app", app]
    with _process(op_cmd, cwd=OIDC_DIR, env=op_env, log=tmp_path / "oidc.log") as op:
        _wait_http(f"{issuer}/.well-known/openid-configuration", op, tmp_path / "oidc.log")
        with _streamlit(APP, tmp_path, app_port, tmp_path / "streamlit.log") as st_proc:
            _wait_http(f"{app}/_stcore/health", st_proc, tmp_path / "streamlit.log")
            yield app, issuer


def _until(page, done, step=None, timeout_ms=WAIT_MS):
    """Poll `done()` and, while it is false, `step()` (one optional action per round)."""
    deadline = time.monotonic() + timeout_ms / 1000
    while time.monotonic() < deadline:
        if done():
            return
        if step is not None:
            step()
        page.wait_for_timeout(250)
    pytest.fail(f"timed out at {page.url}:\n{page.inner_text('body')[:2000]}")


@pytest.mark.browser
def test_internal_mode_signs_in_and_out_with_a_real_provider(signed_app):
    from playwright.sync_api import expect

    app, issuer = signed_app
    uk = auth.TEXTS["uk"]
    with _browser_page() as page:
        page.goto(app)
        expect(page.get_by_text(uk["auth.sign_in_title"])).to_be_visible()
        expect(page.get_by_text(MARKER)).to_have_count(0)

        page.get_by_role("button", name=uk["auth.sign_in_button"]).click()
        page.wait_for_url(re.compile(rf"^{re.escape(issuer)}/interaction/"))
        page.fill("input[name=login]", "olena")
        page.fill("input[name=password]", "any password")
        page.click("button[type=submit]")

        consent = page.locator("form button[type=submit]", has_text="Continue")
        marker = page.get_by_text(MARKER)
        _until(page, lambda: page.url.startswith(app) and marker.is_visible(),
               lambda: page.url.startswith(issuer) and consent.is_visible() and consent.click())
        expect(page.get_by_text("Ви увійшли як olena")).to_be_visible()

        page.get_by_role("button", name=uk["auth.sign_out_button"]).click()
        confirm = page.get_by_role("button", name="Yes, sign me out")
        sign_in = page.get_by_text(uk["auth.sign_in_title"])
        _until(page, lambda: page.url.startswith(app) and sign_in.is_visible(),
               lambda: page.url.startswith(issuer) and confirm.is_visible() and confirm.click())
        expect(page.get_by_text(MARKER)).to_have_count(0)

        page.reload()
        expect(sign_in).to_be_visible()
        expect(page.get_by_text(MARKER)).to_have_count(0)


@pytest.mark.browser
def test_deep_link_to_a_page_on_a_fresh_server_is_refused(tmp_path):
    """A first request for a page file runs it without the entry file; guard_page must stop it."""
    from playwright.sync_api import expect

    port = _free_port()
    with _streamlit(GATED_APP, tmp_path, port, tmp_path / "streamlit.log") as proc:
        _wait_http(f"http://127.0.0.1:{port}/_stcore/health", proc, tmp_path / "streamlit.log")
        with _browser_page() as page:
            page.goto(f"http://127.0.0.1:{port}/hubs")
            expect(page.get_by_text(auth.TEXTS["uk"]["auth.refused_title"])).to_be_visible()
            expect(page.get_by_text(MARKER)).to_have_count(0)
            page.goto(f"http://127.0.0.1:{port}/")
            expect(page.get_by_text(auth.TEXTS["uk"]["auth.refused_title"])).to_be_visible()
            expect(page.get_by_text("HOME", exact=True)).to_have_count(0)
