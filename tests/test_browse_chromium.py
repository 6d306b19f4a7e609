"""A real browser (headless Chromium) renders the Datasette pages of `make browse`.

Datasette is started as `make browse` starts it (lib.publish.browse.command) on a free port of
127.0.0.1; Chromium renders the observations page and a search result page: the rendered
DOM must hold the Swedish content and the source links, and the screenshots must be
pictures of a page (not blank, the window's size). The screenshots stay in pytest's
temporary folder for a person to look at. Skipped, saying why, when Chromium is missing
(`make test` installs it with apt-get when run as root); in CI (``CI=true``) that fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest
import served

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
MISSING = "chromium not installed (make test installs it as root: apt-get install chromium)"


@pytest.fixture(scope="module", autouse=True)
def _browser() -> None:
    """Skip, saying why, where Chromium is missing; in CI (``CI=true``) a missing browser
    fails instead, so the pages are never left unrendered there without anyone noticing."""
    if CHROMIUM is None:
        if os.environ.get("CI", "").strip().lower() in ("1", "true", "yes"):
            pytest.fail(f"{MISSING}; in CI this test must run")
        pytest.skip(MISSING)


FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--hide-scrollbars",
]
WIDTH, HEIGHT = 1366, 1000


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Datasette serving the built database, started like `make browse`; stopped after."""
    folder = tmp_path_factory.mktemp("browse")
    proc, url = served.start(folder, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def _chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def render(url: str, folder: Path, name: str) -> tuple[str, Path]:
    """The DOM after rendering, and a screenshot of the first WIDTH x HEIGHT pixels."""
    dom = _chromium(["--dump-dom", url], folder / f"{name}-profile-dom")
    assert dom.returncode == 0, dom.stderr[-500:]
    png = folder / f"{name}.png"
    shot = _chromium(
        [f"--window-size={WIDTH},{HEIGHT}", f"--screenshot={png}", url],
        folder / f"{name}-profile-shot",
    )
    assert shot.returncode == 0 and png.is_file(), shot.stderr[-500:]
    return dom.stdout, png


CAVEAT_BACKGROUND = (0xFF, 0xF8, 0xE1)  # td.col-Jmfrbarhet… in rapporter.css


def caveat_columns(png: Path) -> tuple[int, int]:
    """The leftmost x and the number of pixels of the caveats' background colour."""
    from PIL import Image

    with Image.open(png) as im:
        rgb = im.convert("RGB")
        xs = [
            x
            for x in range(0, WIDTH, 2)
            for y in range(0, HEIGHT, 4)
            if rgb.getpixel((x, y)) == CAVEAT_BACKGROUND
        ]
    return (min(xs) if xs else WIDTH), len(xs) * 8


def assert_picture_of_a_page(png: Path) -> None:
    from PIL import Image

    with Image.open(png) as im:
        assert im.size == (WIDTH, HEIGHT)
        small = im.convert("L").resize((WIDTH // 4, HEIGHT // 4))
    hist = small.histogram()
    background = max(hist)
    assert background < 0.9 * sum(hist), "the page is (almost) blank"
    assert sum(1 for n in hist if n) > 20, "too few shades for text on a page"


@pytest.mark.slow
def test_observations_page_renders_with_facets_and_source_links(server, tmp_path):
    dom, png = render(f"{server}/rapporter/observationer", tmp_path, "observationer")
    assert "Alla siffror med källa" in dom
    for facet in ("teman", "indikator", "period", "område"):
        assert f'data-column="{facet}"' in dom
    assert 'href="/rapporter/kallrader/' in dom and "rad 4154</a>" in dom
    assert "/gbg/rapporter.css" in dom  # the layout stylesheet is linked
    # Datasette's own words are Swedish, also those its table.js adds to the column menu
    assert '<html lang="sv">' in dom and "333 rader" in dom and "Drivs av" in dom
    menu = dom.split('<div class="dropdown-menu"', 1)[1].split("</ul>", 1)[0]
    for english, swedish in (
        ("Sort ascending", "Sortera stigande"),
        ("Facet by this", "Filtrera på värdena (facett)"),
        ("Hide this column", "Dölj kolumnen"),
    ):
        assert english not in menu and swedish in menu
    assert_picture_of_a_page(png)


@pytest.mark.slow
def test_search_result_page_renders_hits_with_sources(server, tmp_path):
    dom, png = render(f"{server}/rapporter/sok?ord={quote('vräkning')}", tmp_path, "sok")
    assert "Sök i rapporterna" in dom
    assert "«vräkningar»" in dom and "Årsrapport 2022" in dom and ">379<" in dom
    title = dom.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title == "Sök i rapporterna: vräkning – rapporter"  # the tab's title
    assert ">visa SQL</a>)" in dom  # the SQL is hidden behind "visa SQL"
    assert "Frågan gav" in dom and 'value="Kör frågan"' in dom
    assert_picture_of_a_page(png)


@pytest.mark.slow
def test_start_page_and_indicator_chart_render(server, tmp_path):
    dom, png = render(f"{server}/", tmp_path, "start")
    start = dom.split('<details class="gbg-avancerat">')[0]
    for words in ("Sök bland siffrorna", "Sök i rapporterna", "Om datan", "Excel-arbetsbok"):
        assert words in start
    assert_picture_of_a_page(png)
    dom, png = render(
        f"{server}/rapporter/indikator?indikator=fs_hushall_stadsomrade", tmp_path, "diagram"
    )
    assert '<figure class="gbg-diagram"><svg' in dom and "Årsrapport 2022, rad 121" in dom
    title = dom.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title == "En indikator över åren: fs_hushall_stadsomrade – rapporter"
    assert_picture_of_a_page(png)
    dom, png = render(f"{server}/rapporter/siffror?ord={quote('skyddat boende')}", tmp_path, "sok")
    assert "träffar i alla" in dom and "Jämförbarhet" in dom
    assert_picture_of_a_page(png)
    # the caveats (highlighted columns, rapporter.css) are on the screen beside the figure,
    # not after the long quote, off to the right
    left, area = caveat_columns(png)
    assert area > 5_000 and left < 0.6 * WIDTH, (left, area)
