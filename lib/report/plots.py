"""Seaborn charts with Swedish labels for the notebooks; deterministic PNG and SVG files.

The overview's and the search's charts; an indicator's chart is
:mod:`lib.report.indicator_chart`. Every chart function returns a
:class:`matplotlib.figure.Figure` (not registered with pyplot, so a notebook shows it
once, when it is displayed), or None when there is nothing to draw. Charts are at most
:data:`MAX_WIDTH` inches wide and rendered once, at :data:`PNG_DPI`, so they fit an
A4-wide report at their natural size. :func:`save` writes PNG and SVG atomically with
fixed metadata (no date; a fixed SVG hash salt), so the same data give byte-identical
files. :func:`show` displays the PNG with a Swedish alt text (:func:`alt_text`).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib as mpl
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator

from lib.core import formats
from lib.report import fmt

HASH_SALT = "gbg-socialrapporter"
PNG_DPI = 96
MAX_WIDTH = 8.6  # inches: 826 px at PNG_DPI, the width of an A4-wide report
_READY = False


def setup() -> None:
    """Seaborn theme and the rcParams that make saved files deterministic (idempotent)."""
    global _READY
    if _READY:
        return
    sns.set_theme(style="whitegrid", context="notebook")
    mpl.rcParams["svg.hashsalt"] = HASH_SALT
    mpl.rcParams["svg.fonttype"] = "none"  # text as text: smaller, faster files
    mpl.rcParams["axes.titlesize"] = "medium"
    mpl.rcParams["axes.titleweight"] = "bold"
    mpl.rcParams["axes.titley"] = 1.0  # fixed title position: no overlap search at each draw
    _READY = True


def _figure(width: float, height: float) -> Figure:
    # Fixed margins (set by each chart) instead of a layout engine: drawing is the cost
    # that counts in a batch, and a layout engine adds a full text layout to every draw.
    setup()
    return Figure(figsize=(width, height))


def _margins(
    fig: Figure,
    left: float = 0.7,
    right: float = 0.25,
    top: float = 0.5,
    bottom: float = 0.55,
    hspace: float = 0.9,
    wspace: float = 0.35,
) -> None:
    """Margins in inches, converted to the figure's fractions."""
    w, h = fig.get_size_inches()
    fig.subplots_adjust(
        left=left / w,
        right=1 - right / w,
        top=1 - top / h,
        bottom=bottom / h,
        hspace=hspace,
        wspace=wspace,
    )


_NUMBER = FuncFormatter(lambda v, _pos: formats.number(v))


def _wrap(text: str, width: int = 34) -> str:
    return "\n".join(textwrap.wrap(text, width, break_long_words=False)) or text


def prominence_heatmap(matrix: pd.DataFrame) -> Figure:
    """Theme mentions per 1 000 words: document parts × themes."""
    fig = _figure(8, 0.36 * len(matrix) + 1.6)
    ax = fig.subplots()
    _margins(
        fig,
        left=0.5 + 0.085 * max(len(str(i)) for i in matrix.index),
        right=0.3,
        top=0.45,
        bottom=0.75,
    )
    annot = matrix.map(lambda v: formats.number(v, 1))
    sns.heatmap(
        matrix,
        annot=annot,
        fmt="",
        cmap="Blues",
        linewidths=0.5,
        ax=ax,
        cbar_kws={"label": "Omnämnanden per 1 000 ord"},
    )
    ax.set_xticklabels([_wrap(str(c), 14) for c in matrix.columns], rotation=0)
    ax.set_xlabel("")
    ax.set_ylabel("Dokument / del")
    ax.set_title("Temanas framträdande per dokumentdel")
    return fig


def coverage_matrix(matrix: pd.DataFrame) -> Figure:
    """Number of curated figures: (theme, source document) × year."""
    m = matrix.copy()
    m.index = [f"{t} · {d}" for t, d in m.index]
    fig = _figure(MAX_WIDTH, 0.36 * len(matrix) + 1.5)
    ax = fig.subplots()
    _margins(fig, left=0.6 + 0.08 * max(len(i) for i in m.index), right=0.3, top=0.45, bottom=0.7)
    annot = m.map(lambda v: formats.number(v) if v else "")
    sns.heatmap(
        m,
        annot=annot,
        fmt="",
        cmap="Greens",
        linewidths=0.5,
        ax=ax,
        cbar_kws={"label": "Antal uppgifter"},
    )
    ax.set_xlabel("Period (år som perioden slutar)")
    ax.set_ylabel("Tema · källa")
    ax.set_title("Täckning: uppgifter per tema, källa och år")
    return fig


def search_counts(counts: pd.DataFrame, query: str) -> Figure | None:
    """Hits of a search per report, one bar per report, coloured by year
    (:func:`lib.report.search.counts`)."""
    if counts.empty:
        return None
    d = counts.sort_values(["år", "rapport"]).assign(år=lambda x: x["år"].astype(str))
    fig = _figure(MAX_WIDTH, 0.45 * len(d) + 1.4)
    ax = fig.subplots()
    _margins(
        fig, left=0.4 + 0.085 * max(len(r) for r in d.rapport), right=1.0, top=0.45, bottom=0.6
    )
    sns.barplot(data=d, y="rapport", x="träffar", hue="år", dodge=False, ax=ax, palette="crest")
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    for patch, n in zip(bars, d.träffar, strict=False):
        ax.annotate(
            formats.number(n),
            (patch.get_width(), patch.get_y() + patch.get_height() / 2),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize="small",
        )
    ax.set_xlabel("Antal träffar")
    ax.set_ylabel("")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(_NUMBER)
    ax.margins(x=0.12)
    ax.legend(
        title="År", loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False
    )
    ax.set_title(_wrap(f"Träffar för ”{query}” per rapport och år", 70))
    return fig


def alt_text(fig: Figure) -> str:
    """A Swedish description of a chart for screen readers: the text the chart was made
    with (its label, :func:`lib.report.indicator_chart.alt_text`), else its title and panels."""
    if fig.get_label():
        return str(fig.get_label())

    def flat(text: str) -> str:
        return " ".join(text.split())

    titles = [
        flat(ax.get_title() or ax.get_title(loc="left")) for ax in fig.axes if ax.get_visible()
    ]
    titles = [t for t in titles if t]
    main = flat(fig.get_suptitle())
    if not main and titles:
        main, titles = titles[0], titles[1:]
    text = f"Diagram: {main or 'utan rubrik'}."
    if titles:
        text += f" Delar: {'; '.join(titles)}."
    return text


def png_bytes(fig: Figure) -> bytes:
    """The figure as PNG bytes (fixed size and dpi, no software stamp)."""
    import io

    setup()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=PNG_DPI, metadata={"Software": None})
    return buf.getvalue()


def svg_bytes(fig: Figure) -> bytes:
    """The figure as SVG bytes (no date, fixed hash salt)."""
    import io

    setup()
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()


def _write(target: Path, data: bytes) -> Path:
    from lib.core.store import atomic_path

    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return target


def save(fig: Figure, output_dir: str | Path, name: str, png: bytes | None = None) -> list[Path]:
    """Write ``<name>.png`` and ``<name>.svg`` atomically and deterministically.

    ``png`` reuses bytes already rendered (the notebook shows the same image it saves).
    """
    directory = fmt.check_output_dir(output_dir)
    if directory is None:
        return []
    return [
        _write(directory / f"{name}.png", png if png is not None else png_bytes(fig)),
        _write(directory / f"{name}.svg", svg_bytes(fig)),
    ]


def show(
    fig: Figure | None,
    name: str,
    output_dir: str | Path = "",
    empty: str = "Inga uppgifter att visa i diagram.",
) -> None:
    """Display a figure as PNG with Swedish alt text (or the Swedish ``empty`` sentence);
    save it. The figure is rendered once; the notebook shows exactly the PNG that is saved.
    """
    from IPython.display import Image, Markdown, display

    class Chart(Image):
        """A PNG whose plain-text form is its alt text: what nbval compares, and what a
        notebook shows where images are not shown."""

        def __repr__(self) -> str:
            return self.alt

    if fig is None:
        display(Markdown(empty))
        return
    png = png_bytes(fig)
    display(Chart(data=png, format="png", alt=alt_text(fig)))
    save(fig, output_dir, name, png)
