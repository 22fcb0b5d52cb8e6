"""Take the README screenshots of a demo installation's pages, in headless Chromium.

    .venv/bin/python scripts/screenshot.py --all      # the main pages into docs/screenshots/
    .venv/bin/python scripts/screenshot.py [--page /learners/hana] [--out FILE.png] [--full]
    .venv/bin/python scripts/screenshot.py --learner ben --page /wallet --out FILE.png

Seeds `credstack demo` into a temporary data directory, serves it, signs in with the demo's
admin token (the learner record is a staff page), or with `--learner` as that learner (a
session opened directly, as the e-mail sign-in link would), and saves a PNG of the page.
Needs Debian's Chromium at /usr/bin/chromium; nothing is fetched from the web.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx
from PIL import Image
from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MAX_BYTES = 300 * 1024
SHOTS = ROOT / "docs" / "screenshots"
CCRP_PARTS = ("GCP Essentials", "Informed Consent", "Adverse Event Reporting", "Study Close-Out")
"""The demo learner Ben's four microcredentials that together satisfy the CCRP stack."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _credstack(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603 -- our own interpreter and fixed arguments
        [sys.executable, "-m", "credstack", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait(url: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited: {process.communicate()[1]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not start within 60 s")


def _save(png: bytes, out: Path) -> None:
    """Quantised to a palette: a page of text and flat colours stays sharp and small."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    buffer = io.BytesIO()
    image.quantize(colors=128, dither=Image.Dither.NONE).save(buffer, "PNG", optimize=True)
    if buffer.tell() > MAX_BYTES:
        raise SystemExit(f"the screenshot is {buffer.tell()} bytes, over {MAX_BYTES}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(buffer.getvalue())


def _learner_session(data_dir: str, url: str, learner: str) -> str:
    """A learner's page session in the demo's database: the cookie's value."""
    from credstack.config import load_settings
    from credstack.service.runtime import open_runtime
    from credstack.service.sessions import SessionPolicy, open_learner_session

    env = {"CREDSTACK_DATA_DIR": data_dir, "CREDSTACK_BASE_URL": url}
    runtime = open_runtime(load_settings(Path(data_dir), env))
    try:
        with runtime.uow() as uow:
            row = uow.learners.by_key(learner)
            if row is None:
                raise SystemExit(f"the demo has no learner {learner!r}")
            policy = SessionPolicy(idle=timedelta(minutes=30), lifetime=timedelta(hours=1))
            session_id = open_learner_session(uow, row, policy)
            uow.commit()
    finally:
        runtime.close()
    return session_id


def _staff(browser: Browser, url: str, token: str, width: int, height: int) -> Page:
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(f"{url}/login?next=/")
    page.get_by_label("API token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/")
    return page


def _learner(browser: Browser, tmp: str, url: str, learner: str, width: int, height: int) -> Page:
    page = browser.new_page(viewport={"width": width, "height": height})
    session_id = _learner_session(tmp, url, learner)
    page.context.add_cookies([{"name": "credstack_session", "value": session_id, "url": url}])
    return page


def _all(browser: Browser, tmp: str, url: str, token: str, env: dict[str, str]) -> None:
    """The main pages, each at 1280 wide: what a visitor, a learner, an employer and staff see."""
    width, height = 1280, 900
    listed = _credstack(env, "award", "list", "--learner", "ben").communicate(timeout=120)[0]
    award = re.search(r"^(\S+)\s", listed, re.MULTILINE)
    if award is None:
        raise SystemExit(f"the demo's ben holds no award: {listed}")
    visitor = browser.new_page(viewport={"width": width, "height": height})
    for name, path in (
        ("home", "/"),
        ("achievement", "/issuers/ccrb/achievements/ccrp"),
        ("verify-result", f"/verify?credential={award.group(1)}"),
    ):
        visitor.goto(f"{url}{path}")
        _save(visitor.screenshot(), SHOTS / f"{name}.png")
    ben = _learner(browser, tmp, url, "ben", width, height)
    ben.goto(f"{url}/wallet")
    held = ben.get_by_role("region", name="Your credentials")
    for credential in CCRP_PARTS:
        held.get_by_role("checkbox", name=f"Share {credential}").check()
    ben.get_by_role("button", name="Create share link").click()
    share = ben.locator("tr[data-state='live'] a.share-url").first.inner_text()
    ben.goto(f"{url}/wallet")
    _save(ben.screenshot(), SHOTS / "wallet.png")
    visitor.goto(share)
    _save(visitor.screenshot(), SHOTS / "share.png")
    visitor.goto(f"{share}/employer")
    _save(visitor.screenshot(), SHOTS / "employer-bundle.png")
    staff = _staff(browser, url, token, width, height)
    for name, path in (("learner", "/learners/hana"), ("analytics", "/issuers/ccrb/analytics")):
        staff.goto(f"{url}{path}")
        _save(staff.screenshot(), SHOTS / f"{name}.png")


def _one(browser: Browser, tmp: str, url: str, token: str, options: argparse.Namespace) -> None:
    page = browser.new_page(viewport={"width": options.width, "height": options.height})
    if options.learner:
        session_id = _learner_session(tmp, url, options.learner)
        page.context.add_cookies([{"name": "credstack_session", "value": session_id, "url": url}])
        page.goto(f"{url}{options.page}")
    else:
        page.goto(f"{url}/login?next={options.page}")
        page.get_by_label("API token").fill(token)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{url}{options.page}")
    _save(page.screenshot(full_page=options.full), options.out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", default="/learners/hana")
    parser.add_argument("--out", type=Path, default=SHOTS / "learner.png")
    parser.add_argument("--width", type=int, default=1100)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--full", action="store_true", help="the whole page, not the viewport")
    parser.add_argument("--learner", help="sign in as this demo learner instead of as staff")
    parser.add_argument("--all", action="store_true", help=f"the main pages into {SHOTS}")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="credstack-screenshot-") as tmp:
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("CREDSTACK_")}
        env.update(CREDSTACK_DATA_DIR=tmp, CREDSTACK_BASE_URL=url)
        seeded = _credstack(env, "demo", "--no-serve")
        out, err = seeded.communicate(timeout=300)
        token = re.search(r"(cst_\S+)", out)
        if seeded.returncode != 0 or token is None:
            raise SystemExit(f"credstack demo failed: {err or out}")
        server = _credstack(env, "serve", "--port", str(port))
        try:
            _wait(url, server)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=ARGS
                )
                if options.all:
                    _all(browser, tmp, url, token.group(1), env)
                else:
                    _one(browser, tmp, url, token.group(1), options)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=15)
    print(f"saved {SHOTS if options.all else options.out}")


if __name__ == "__main__":
    main()
