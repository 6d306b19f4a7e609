"""The papermill batch: validation before any run, publishing, failures and atomicity.

The notebooks here are tiny fixtures (tests/fixtures/notebooks) with the interface of the
real ones: a ``parameters`` cell of plain literals (year, district, output_dir), a
validation cell, and figures/tables written into ``output_dir``.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from lib import paths
from lib.__main__ import main
from lib.errors import DataError
from lib.report import batch, batch_plan, pages

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"


def _notebooks(tmp: Path, **names: str) -> Path:
    """A notebooks directory whose files are copies of fixtures: ``target_stem=fixture_stem``."""
    tmp.mkdir(parents=True, exist_ok=True)
    for target, source in names.items():
        shutil.copy(FIXTURES / f"{source}.ipynb", tmp / f"{target}.ipynb")
    return tmp


def _hidden(root: Path) -> list[Path]:
    """Hidden files and directories under ``root`` other than the batch's lock file."""
    return [p for p in root.rglob(".*") if p.relative_to(root).as_posix() != batch.LOCK_FILE]


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list]:
    """One real batch over the fixtures: overview plus two themes for 2024, Centrum."""
    base = tmp_path_factory.mktemp("batch")
    nbdir = _notebooks(
        base / "notebooks",
        **{
            "00_oversikt": "00_oversikt",
            "10_hemloshet": "10_hemloshet",
            "20_vald_i_nara_relation": "10_hemloshet",
        },
    )
    out = base / "outputs"
    results = batch.run_batch(
        ["2024"],
        ["oversikt", "hemloshet", "vald_i_nara_relation"],
        ["Centrum"],
        n_jobs=2,
        outputs_dir=out,
        notebooks_dir=nbdir,
        progress=False,
    )
    return nbdir, out, results


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"years": ["2019"]},
            "--year '2019': no report or figure for that year; choose one of "
            "2020, 2021, 2022, 2023, 2024, 2025.",
        ),
        ({"years": ["2024; rm"]}, "--year '2024; rm': no report or figure"),
        ({"years": [2024], "themes": ["hemlöshet"]}, "--theme 'hemlöshet': unknown value"),
        ({"years": [2024], "districts": ["Angered"]}, "--district 'Angered': unknown value"),
        ({"years": []}, "no year given"),
    ],
)
def test_plan_rejects_unknown_selection(kwargs: dict, message: str) -> None:
    with pytest.raises(DataError) as err:
        batch_plan.plan(notebooks_dir=FIXTURES, **kwargs)
    assert str(err.value).startswith(message)


def test_plan_makes_the_comparative_page_and_only_pages_with_figures(tmp_path: Path) -> None:
    nbdir = _notebooks(tmp_path, **{"00_oversikt": "00_oversikt", "10_hemloshet": "10_hemloshet"})
    jobs = batch_plan.plan([2023, 2022], ["hemloshet", "oversikt"], None, nbdir)
    # The page over every year and area first; then per year the overview and the areas
    # whose hemlöshet figures the reports give: 2022 the city (Gemensamma's services have
    # none that year) and Centrum (Årsrapport 2022), 2023 the city-wide services only.
    assert [j.label for j in jobs] == [
        "10_hemloshet.ipynb (alla år, alla områden)",
        "00_oversikt.ipynb (2022, Göteborg)",
        "10_hemloshet.ipynb (2022, Göteborg)",
        "10_hemloshet.ipynb (2022, Centrum)",
        "00_oversikt.ipynb (2023, Göteborg)",
        "10_hemloshet.ipynb (2023, Göteborg)",
    ]
    for job in jobs:
        if job.theme == "hemloshet":
            assert batch_plan.has_figures("hemloshet", job.year, job.district)
    empty = batch_plan.empty_selections([2023, 2022], ["hemloshet"])
    assert ("hemloshet", 2023, "Centrum") in empty and len(empty) == 2 * 5 - 3
    assert all(not batch_plan.has_figures(*e) for e in empty)
    assert dict(jobs[0].params) == {
        "year": None,
        "district": None,
        "output_dir": ".",
        "kallor": "../../kallor",
    }
    assert dict(jobs[1].params) == {"year": 2022, "output_dir": "."}  # takes no district
    assert dict(jobs[3].params)["kallor"] == "../../../kallor"
    # The command line passes [] for "no --district": every area, the comparative page too.
    cli = batch_plan.plan([2022], ["hemloshet"], [], nbdir)
    assert cli[0].label == "10_hemloshet.ipynb (alla år, alla områden)"
    # A batch for one area makes that area's pages only.
    one = batch_plan.plan([2022], ["hemloshet"], ["Centrum"], nbdir)
    assert [j.label for j in one] == ["10_hemloshet.ipynb (2022, Centrum)"]


def test_non_literal_parameter_cell_is_rejected_before_any_run(tmp_path: Path) -> None:
    nbdir = _notebooks(tmp_path / "nb", **{"10_hemloshet": "bad_params"})
    out = tmp_path / "outputs"
    with pytest.raises(DataError) as err:
        batch.run_batch(
            [2024], ["hemloshet"], ["Centrum"], outputs_dir=out, notebooks_dir=nbdir, progress=False
        )
    assert 'parameters cell line 1: `year = int("2024")` is not a plain literal' in str(err.value)
    assert not out.exists()


@pytest.mark.parametrize("value", [[2024], {"a": 1}, object(), b"2024"])
def test_parameter_values_must_be_plain_literals(value: object) -> None:
    with pytest.raises(DataError, match="not a plain literal"):
        batch_plan.check_plain_literal("year", value)


def test_undeclared_or_mistyped_parameter_is_rejected() -> None:
    overview = FIXTURES / "00_oversikt.ipynb"
    assert batch_plan.parameters_of(overview) == {"year": 2024, "output_dir": ""}
    with pytest.raises(DataError, match="parameter 'district' is not declared"):
        batch_plan.check_parameters(overview, {"year": 2024, "district": "Centrum"})
    with pytest.raises(DataError, match="has type str, the notebook declares int"):
        batch_plan.check_parameters(overview, {"year": "2024"})


def test_missing_processed_directory_asks_for_make_data(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"no processed tables; run `make data` first\.$"):
        batch.run_batch(
            [2024],
            outputs_dir=tmp_path / "o",
            notebooks_dir=FIXTURES,
            processed_dir=tmp_path / "processed",
            progress=False,
        )


def test_cli_bad_input_is_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["batch", "--year", "2019"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "error: --year '2019': no report or figure for that year; choose one of "
        "2020, 2021, 2022, 2023, 2024, 2025.\n"
    )
    assert (
        main(["batch", "--all-years", "--district", "Göteborg", "--district", "Biskopsgården"]) == 2
    )
    assert capsys.readouterr().err.startswith("error: --district 'Biskopsgården': unknown value")


# ---------------------------------------------------------------- end to end


@pytest.mark.slow
def test_batch_publishes_notebook_report_figures_and_tables(first_run: tuple) -> None:
    _, out, results = first_run
    assert [(r.job.label, r.error) for r in results] == [
        ("00_oversikt.ipynb (2024, Göteborg)", None),
        ("10_hemloshet.ipynb (2024, Centrum)", None),
        ("20_vald_i_nara_relation.ipynb (2024, Centrum)", None),
    ]
    folder = out / "2024" / "Centrum" / "10_hemloshet"
    assert sorted(p.name for p in folder.iterdir()) == [
        "10_hemloshet.html",
        "10_hemloshet.ipynb",
        "figur.svg",
        "filer.html",
        "nyckeltal.csv",
    ]
    assert (folder / "nyckeltal.csv").read_text(
        encoding="utf-8"
    ) == "year,district,value\n2024,Centrum,42\n"
    executed = (folder / "10_hemloshet.ipynb").read_text(encoding="utf-8")
    assert '"district = \\"Centrum\\"\\n"' in executed  # the injected parameters
    assert "start_time" not in executed and ".tmp" not in executed
    assert (out / "2024" / "Göteborg" / "00_oversikt" / "00_oversikt.html").is_file()
    assert not _hidden(out)  # no temporary directories left


@pytest.mark.slow
def test_html_report_has_outputs_but_no_code(first_run: tuple) -> None:
    _, out, _ = first_run
    report = (out / "2024" / "Centrum" / "10_hemloshet" / "10_hemloshet.html").read_text("utf-8")
    assert "Nyckeltal 2024 Centrum: 42" in report  # the output of the last cell
    assert "Testrapport" in report  # the markdown
    assert "<title>Hemlöshet – Centrum 2024</title>" in report and '<html lang="sv">' in report
    for code in ("write_text", "output_dir", "raise ValueError"):
        assert code not in report
    body = report[report.index("<body") :]
    code_cells = re.findall(r'<div class="jp-Cell jp-CodeCell[^"]*"', body)
    assert len(code_cells) == 4 and all("jp-mod-noInput" in c for c in code_cells)
    assert "jp-CodeMirrorEditor" not in body and "jp-InputPrompt" not in body


def test_report_images_get_swedish_alt_text_and_the_page_fits_a4() -> None:
    import base64

    import nbformat

    png = base64.b64encode(b"\x89PNG\r\n\x1a\n").decode()
    alt = "Diagram: Förändringar under året."
    cell = nbformat.v4.new_code_cell(
        "x",
        outputs=[
            nbformat.v4.new_output(
                "display_data", data={"image/png": png}, metadata={"image/png": {"alt": alt}}
            ),
            nbformat.v4.new_output("display_data", data={"image/png": png}),
        ],
    )
    report = pages.report_html(nbformat.v4.new_notebook(cells=[cell]), "Test")
    assert f'alt="{alt}"' in report and 'alt="Diagram"' in report
    assert "No description" not in report
    assert "max-width: 54rem" in report and "table.gbg-tabell" in report
    assert "<script" not in report  # no widgets, math or require.js: works offline


@pytest.mark.slow
def test_index_lists_pages_by_theme_and_every_link_resolves(first_run: tuple) -> None:
    _, out, _ = first_run
    index = (out / "index.html").read_text(encoding="utf-8")
    hrefs = re.findall(r'href="([^"]+)"', index)
    # the sources view, the two data files; report, notebook, files page of each notebook
    assert len(hrefs) == 1 + len(pages.DATA_FILES) + 3 * 3
    assert "2024/G%C3%B6teborg/00_oversikt/00_oversikt.html" in hrefs
    assert "kallor/index.html" in hrefs
    assert (
        index.index("<h2>Hemlöshet</h2>")
        < index.index("<h2>Våld i nära relation</h2>")
        < index.index("<h2>Översikt över rapporterna</h2>")
    )
    # what each page holds, from the data: hemlöshet in Centrum 2024 (Delårsrapport 2024)
    row = re.search(
        r'<a href="2024/Centrum/10_hemloshet/10_hemloshet.html">[^<]+</a></td>'
        r"<td>([^<]+)</td>",
        index,
    )
    assert row and row[1] == batch_plan.page_summary("hemloshet", 2024, "Centrum")
    assert row[1].startswith("7 uppgifter om 4 indikatorer; 2024")
    # every link of every page (index, files pages, the reports' lines) stays in outputs/
    assert pages.broken_links(out) == []
    files = (out / "2024" / "Centrum" / "10_hemloshet" / "filer.html").read_text("utf-8")
    assert '<a href="nyckeltal.csv">CSV</a>' in files and '<a href="figur.svg">SVG</a>' in files


def test_broken_links_are_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The link check itself: a missing file, a missing line anchor, a link out of the
    directory; a good link, a link within the page and an external one pass, also when
    the directory is given as a relative path."""
    (tmp_path / "kallor").mkdir()
    (tmp_path / "kallor" / "r.html").write_text(
        '<tr id="L3"><a href="#L3">3</a></tr>', encoding="utf-8"
    )
    (tmp_path / "index.html").write_text(
        '<a href="kallor/r.html#L3">ok</a> <a href="kallor/r.html#L4">rad saknas</a> '
        '<a href="saknas.html">fil saknas</a> <a href="../ute.html">utanför</a> '
        '<a href="https://goteborg.se/">extern</a>',
        encoding="utf-8",
    )
    (tmp_path.parent / "ute.html").write_text("", encoding="utf-8")
    broken = [
        "index.html: kallor/r.html#L4",
        "index.html: saknas.html",
        "index.html: ../ute.html",
    ]
    assert pages.broken_links(tmp_path) == broken
    monkeypatch.chdir(tmp_path.parent)
    assert pages.broken_links(Path(tmp_path.name)) == broken


def test_pages_of_selections_without_figures_are_removed(tmp_path: Path) -> None:
    """A page an earlier batch published for a selection that has no figure now is taken
    down (with its area folder when that is left empty); other pages stay."""
    empty_page = tmp_path / "2023" / "Centrum" / "10_hemloshet"
    kept = tmp_path / "2024" / "Centrum" / "10_hemloshet"
    for folder in (empty_page, kept):
        folder.mkdir(parents=True)
        (folder / "10_hemloshet.html").write_text("x", encoding="utf-8")
    assert not batch_plan.has_figures("hemloshet", 2023, "Centrum")
    removed = batch.unpublish_empty(tmp_path, batch_plan.empty_selections([2023], ["hemloshet"]))
    assert removed == [empty_page]
    assert not (tmp_path / "2023").exists() and (kept / "10_hemloshet.html").is_file()


@pytest.mark.slow
def test_the_whole_data_set_is_beside_the_reports(first_run: tuple) -> None:
    """outputs/ can be handed over as it is: the Excel workbook and the database the
    notebooks read are copied into outputs/data/ and listed first on the index page."""
    from lib.report import processed

    _, out, _ = first_run
    for name in ("observations.xlsx", "rapporter.sqlite"):
        assert (out / "data" / name).read_bytes() == (processed.processed_dir() / name).read_bytes()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.index("<h2>Hela datamängden</h2>") < index.index("<h2>Hemlöshet</h2>")
    excel = re.search(
        r'<li><a href="data/observations.xlsx">Alla siffror med källa '
        r"\(Excel\)</a> – [^<]+ \((\d+)&nbsp;kB\)</li>",
        index,
    )
    assert excel, index[:2000]  # about 50 kB
    assert int(excel[1]) == round((out / "data" / "observations.xlsx").stat().st_size / 1e3)
    database = re.search(
        r'<li><a href="data/rapporter.sqlite">Databasen \(SQLite\)</a> – '
        r"[^<]+ \((\d+),(\d)&nbsp;MB\)</li>",
        index,
    )
    assert database, index[:2000]  # about 7,6 MB
    mb = (out / "data" / "rapporter.sqlite").stat().st_size / 1e6
    assert float(f"{database[1]}.{database[2]}") == round(mb, 1)


@pytest.mark.slow
def test_failing_notebook_is_reported_and_leaves_previous_outputs(
    first_run: tuple,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out_first, _ = first_run
    out = tmp_path / "outputs"
    shutil.copytree(out_first, out)
    before = _tree(out / "2024" / "Centrum")
    inodes = {p.name: p.stat().st_ino for p in (out / "2024" / "Centrum").iterdir()}
    nbdir = _notebooks(
        tmp_path / "nb", **{"10_hemloshet": "failing", "20_vald_i_nara_relation": "10_hemloshet"}
    )
    monkeypatch.setattr(paths, "NOTEBOOKS_DIR", nbdir)
    status = main(
        [
            "batch",
            "--year",
            "2024",
            "--district",
            "Centrum",
            "--theme",
            "hemloshet",
            "--theme",
            "vald_i_nara_relation",
            "--outputs-dir",
            str(out),
        ]
    )
    assert status == 1
    err = capsys.readouterr().err
    failed = [line for line in err.splitlines() if line.startswith("failed:")]
    assert failed == [
        "failed: 10_hemloshet.ipynb (2024, Centrum): RuntimeError: avsiktligt fel i testnotebook"
    ]
    # The failed notebook's previous outputs are untouched; the other one was re-run and
    # re-published with byte-identical content (determinism).
    assert _tree(out / "2024" / "Centrum") == before
    assert not _hidden(out)
    after = {p.name: p.stat().st_ino for p in (out / "2024" / "Centrum").iterdir()}
    assert after["10_hemloshet"] == inodes["10_hemloshet"]
    assert after["20_vald_i_nara_relation"] != inodes["20_vald_i_nara_relation"]


@pytest.mark.slow
def test_kernel_that_dies_while_starting_is_started_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seen in CI: two kernels started at once, one died with "Address already in use" and
    the notebook was reported failed. The first start here fails as jupyter_client reports
    it (the message of jupyter_client.client); the second is a real run."""
    import papermill

    real, calls = papermill.execute_notebook, []

    def dies_first(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return real(*args, **kwargs)

    monkeypatch.setattr(papermill, "execute_notebook", dies_first)
    nbdir = _notebooks(tmp_path / "nb", **{"10_hemloshet": "10_hemloshet"})
    [job] = batch_plan.plan(["2024"], ["hemloshet"], ["Centrum"], notebooks_dir=nbdir)
    result = batch.execute_job(job, tmp_path / "out")
    assert result.error is None and len(calls) == 2
    assert (result.tmp / "10_hemloshet.ipynb").is_file()
    # Any other error of the run is reported at once, not retried.
    calls.clear()

    def fails(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls.append(1)
        raise RuntimeError("avsiktligt fel")

    monkeypatch.setattr(papermill, "execute_notebook", fails)
    result = batch.execute_job(job, tmp_path / "out")
    assert result.error == "RuntimeError: avsiktligt fel" and len(calls) == 1


def test_selection_comes_from_the_data() -> None:
    from lib.report import selection
    from lib.text import themes

    # Years with a report, the years the 2022 tables go back to, and 2025 budgets (2024 reports).
    assert batch_plan.years() == selection.years() == (2020, 2021, 2022, 2023, 2024, 2025)
    assert batch_plan.report_years() == (2022, 2023, 2024)
    assert (
        batch_plan.areas()
        == selection.areas()
        == ("Göteborg", "Centrum", "Hisingen", "Nordost", "Sydväst")
    )
    assert batch_plan.theme_choices() == (
        batch_plan.OVERVIEW,
        *themes.theme_ids(),
        batch_plan.COMPARISON,
    )


def test_kernel_is_this_interpreter_without_an_installed_kernelspec() -> None:
    import sys

    km = batch._kernel_manager_class()(kernel_name=batch.KERNEL_NAME)
    assert km.kernel_spec.argv[0] == sys.executable
    assert km.kernel_spec.argv[1:3] == ["-m", "ipykernel_launcher"]


@pytest.mark.slow
def test_bless_writes_outputs_in_place_and_keeps_a_failing_notebook(tmp_path: Path) -> None:
    nbdir = _notebooks(
        tmp_path, **{"10_hemloshet": "10_hemloshet", "20_vald_i_nara_relation": "failing"}
    )
    failing_before = (nbdir / "20_vald_i_nara_relation.ipynb").read_bytes()
    results = batch.bless(
        ["hemloshet", "vald_i_nara_relation"], notebooks_dir=nbdir, progress=False
    )
    assert [(r.job.label, r.error) for r in results] == [
        ("10_hemloshet.ipynb (alla år, alla områden)", None),
        (
            "20_vald_i_nara_relation.ipynb (2024, Göteborg)",
            "RuntimeError: avsiktligt fel i testnotebook",
        ),
    ]
    blessed = (nbdir / "10_hemloshet.ipynb").read_text(encoding="utf-8")
    assert '"Nyckeltal alla alla: 42\\n"' in blessed
    assert '"execution_count": 3' in blessed and '"execution"' not in blessed
    assert (nbdir / "20_vald_i_nara_relation.ipynb").read_bytes() == failing_before
    assert sorted(p.name for p in nbdir.iterdir()) == [
        "10_hemloshet.ipynb",
        "20_vald_i_nara_relation.ipynb",
    ]  # no temporary files, no outputs


@pytest.mark.slow
def test_real_pages_have_figures_and_every_citation_opens_its_line(tmp_path: Path) -> None:
    """The real hemlöshet notebook published for 2024: the page over every year and area
    and the year's pages of the areas with figures (Göteborg, Centrum, Hisingen); no page
    without figures, and every link — each citation included — resolves inside outputs/."""
    out = tmp_path / "outputs"
    results = batch.run_batch([2024], ["hemloshet"], None, outputs_dir=out, progress=False)
    assert [(r.job.label, r.error) for r in results] == [
        ("10_hemloshet.ipynb (alla år, alla områden)", None),
        ("10_hemloshet.ipynb (2024, Göteborg)", None),
        ("10_hemloshet.ipynb (2024, Centrum)", None),
        ("10_hemloshet.ipynb (2024, Hisingen)", None),
    ]
    reports = sorted(out.rglob("10_hemloshet.html"))
    assert len(reports) == 4
    for report in reports:
        text = report.read_text(encoding="utf-8")
        assert "Inga uppgifter" not in text and "Huvudindikatorer" in text, report
    assert pages.broken_links(out) == []
    citations = [
        link
        for report in reports
        for link in re.findall(r'href="([^"]*kallor/[^"]+#L\d+)"', report.read_text("utf-8"))
    ]
    assert len(citations) > 50
    assert "../../kallor/2024_gemensamma_verksamheter_arsrapporter.html#L1109" in citations
