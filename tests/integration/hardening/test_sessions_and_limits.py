"""Sign-in, sign-out, revoked tokens, removed roles and rate limits, against a real server."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.helpers import Cli, form_csrf, running_server, sign_in
from tests.integration.hardening.tenants import installation, tenant

ADMIN_ONLY = "/api/v1/issuers/tmcb/ce/close"


def _bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def _prefix(cli: Cli, email: str) -> str:
    return cli.ok("user", "tokens", email).splitlines()[0].split("\t")[0]


def test_revoking_a_token_and_removing_a_role_work_at_once(
    tmp_path: Path, database_url: str
) -> None:
    cli, port = installation(tmp_path, database_url)
    token = tenant(cli, "tmcb", "amy@tmcb.example", learners=("ada",))
    with running_server(cli, "serve", port=port) as url:
        assert httpx.post(f"{url}{ADMIN_ONLY}", headers=_bearer(token)).status_code == 200
        # Staff see only learners their issuer holds a record of (docs/security.md): one award.
        awarded = httpx.post(
            f"{url}/api/v1/issuers/tmcb/awards",
            json={"learner": "ada", "achievement": "ebola-diagnosis", "awarded_on": "2026-05-02"},
            headers=_bearer(token),
            timeout=30,
        )
        assert awarded.status_code in (200, 201), awarded.text
        with httpx.Client(base_url=url) as browser:
            assert sign_in(browser, token, "/learners/ada").status_code == 303
            assert browser.get("/learners/ada", follow_redirects=True).status_code == 200

            assert (
                cli.ok(
                    "user", "remove-role", "amy@tmcb.example", "--issuer", "tmcb", "--role", "admin"
                )
                == "amy@tmcb.example is no longer admin at tmcb\n"
            )
            removed = httpx.post(f"{url}{ADMIN_ONLY}", headers=_bearer(token))
            assert removed.status_code == 403
            assert removed.json()["error"] == "this needs the admin role at issuer tmcb"
            again = cli.run(
                "user", "remove-role", "amy@tmcb.example", "--issuer", "tmcb", "--role", "admin"
            )
            assert again.returncode == 1
            assert again.stderr == "error: amy@tmcb.example is not admin at tmcb\n"
            cli.ok("user", "grant", "amy@tmcb.example", "--issuer", "tmcb", "--role", "admin")
            assert httpx.post(f"{url}{ADMIN_ONLY}", headers=_bearer(token)).status_code == 200

            prefix = _prefix(cli, "amy@tmcb.example")
            assert token.startswith(prefix) and len(prefix) == 8
            said = cli.ok("user", "revoke-token", "amy@tmcb.example", prefix)
            assert said == f"token {prefix}… (cli) of amy@tmcb.example revoked\n"
            revoked = httpx.post(f"{url}{ADMIN_ONLY}", headers=_bearer(token))
            assert revoked.status_code == 403
            assert revoked.json()["error"] == "the API token is unknown or revoked"
            ended = browser.get("/learners/ada")  # its session ended too: to the sign-in page
            assert ended.status_code == 303 and ended.headers["location"].startswith("/signin")
            assert "\tcli\t" in cli.ok("user", "tokens", "amy@tmcb.example")
            assert "\trevoked 20" in cli.ok("user", "tokens", "amy@tmcb.example")
    twice = cli.run("user", "revoke-token", "amy@tmcb.example", prefix)
    assert (twice.returncode, twice.stderr) == (
        1, f"error: token {prefix}… of amy@tmcb.example is already revoked\n"
    )  # fmt: skip
    unknown = cli.run("user", "revoke-token", "amy@tmcb.example", "cst_zzzz")
    assert unknown.returncode == 1 and "has no token 'cst_zzzz'" in unknown.stderr


def test_sign_in_bad_tokens_and_the_verifier_are_rate_limited(tmp_path: Path) -> None:
    cli, port = installation(
        tmp_path,
        f"sqlite:///{tmp_path / 'data' / 'credstack.db'}",
        CREDSTACK_RATE_SIGN_IN="3",
        CREDSTACK_RATE_BAD_TOKEN="3",
        CREDSTACK_RATE_VERIFY="4",
    )
    token = tenant(cli, "tmcb", "amy@tmcb.example")
    # 60 s to answer: the first /verify starts the verification workers, which outlast httpx's
    # 5 s default on a loaded machine (as in test_pages' CSRF test).
    with (
        running_server(cli, "serve", port=port) as url,
        httpx.Client(base_url=url, timeout=60) as client,
    ):
        # Normal use is unaffected: a valid token may make many requests.
        for _ in range(20):
            assert client.post(ADMIN_ONLY, headers=_bearer(token)).status_code == 200

        csrf = form_csrf(client, "/login")
        tries = [
            client.post("/login", data={"token": f"cst_guess{n}", "csrf": csrf}).status_code
            for n in range(4)
        ]
        assert tries == [403, 403, 403, 429]
        limited = client.post("/login", data={"token": token, "csrf": csrf})
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1

        bad = [
            client.get("/api/v1/learners/x/awards", headers=_bearer(f"cst_guess{n}")).status_code
            for n in range(4)
        ]
        assert bad == [403, 403, 403, 429]
        blocked = client.post(ADMIN_ONLY, headers=_bearer(token))
        assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) >= 1
        assert "too many requests with a bad token" in blocked.json()["error"]

        verified = [client.post("/api/v1/verify", content=b"{}").status_code for _ in range(5)]
        assert 429 not in verified[:4] and max(verified[:4]) < 500  # answered (not verified)
        assert verified[4] == 429


def test_session_cookies_are_secure_when_the_site_is_https(tmp_path: Path) -> None:
    cli, port = installation(tmp_path, f"sqlite:///{tmp_path / 'data' / 'credstack.db'}")
    token = tenant(cli, "tmcb", "amy@tmcb.example")
    cli.base_url = "https://credentials.example"  # served behind a TLS proxy
    with running_server(cli, "serve", port=port) as url, httpx.Client(base_url=url) as client:
        page = client.get("/login")
        assert "secure" in page.headers["set-cookie"].lower()
        assert "httponly" in page.headers["set-cookie"].lower()
        csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
        # httpx keeps Secure cookies only for https; send the pre-session cookie by hand.
        pre = page.cookies["credstack_csrf"]
        signed = httpx.post(
            f"{url}/login",
            data={"token": token, "csrf": csrf},
            cookies={"credstack_csrf": pre},
        )
        assert signed.status_code == 303
        cookie = signed.headers["set-cookie"].lower()
        assert cookie.startswith("credstack_session=")
        assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie
        assert token.lower() not in cookie
