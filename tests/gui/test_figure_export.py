"""Exported figures opened in the programs people use (issue 13, items 2, 3 and 20 and "Exports
people can put in a paper"): the SVG rendered by Qt's QSvgRenderer and by librsvg
(``rsvg-convert``), the PDF by poppler (``pdftoppm``), each compared with the PNG export — the
axes, text and curves must land on the same pixels within a few. Also: no hover read-out in any
export, light figures from the dark theme (dark on request), legends that scale with the PNG, the
figure's metadata in every format (``physlab run --from fig.pdf``), and the File menu's actions.
"""

import shutil
import subprocess

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtSvg import QSvgRenderer

from physlab.cli import main as cli
from physlab.core.export import read_figure_meta, read_npz
from physlab.gui import figure_export, theme
from physlab.gui.figure_export import FigureSettings
from tests.gui.gui_helpers import finished

SMALL = {"repeats": 10, "d": 10, "T": 30, "T0": 30, "generations": 20}
REPLACE_BLUE = (31, 119, 180)  # the first data colour: Collapse's "replace" curve and markers


def _run(qtbot, window, **params):
    window.show_lab("collapse")
    tab = window.lab_tabs.get_or_build("collapse")
    tab.seed.setValue(1)
    tab.panel.set_values({**SMALL, **params})
    tab.run()
    qtbot.waitUntil(finished(tab), timeout=60000)
    tab._paint_if_dirty()
    return tab


def _pixels(image: QtGui.QImage) -> np.ndarray:
    image = image.convertToFormat(QtGui.QImage.Format.Format_RGBA8888)
    raw = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return raw[:, : image.width() * 4].reshape(image.height(), image.width(), 4).copy()


def _read_png(path) -> np.ndarray:
    image = QtGui.QImage(str(path))
    assert not image.isNull(), path
    return _pixels(image)


def _qt_svg(path, width: int, height: int) -> np.ndarray:
    renderer = QSvgRenderer(str(path))
    assert renderer.isValid()
    image = QtGui.QImage(width, height, QtGui.QImage.Format.Format_ARGB32)
    image.fill(QtCore.Qt.GlobalColor.transparent)
    painter = QtGui.QPainter(image)
    renderer.render(painter, QtCore.QRectF(0, 0, width, height))
    painter.end()
    return _pixels(image)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (apt-get install librsvg2-bin poppler-utils)")
    return found


def _rsvg(path, width: int, tmp_path) -> np.ndarray:
    out = tmp_path / "rsvg.png"
    subprocess.run([_tool("rsvg-convert"), "-w", str(width), "-o", str(out), str(path)], check=True)
    return _read_png(out)


def _poppler(path, width: int, tmp_path) -> np.ndarray:
    out = tmp_path / "poppler"
    subprocess.run(
        [
            _tool("pdftoppm"),
            "-png",
            "-singlefile",
            "-scale-to-x",
            str(width),
            "-scale-to-y",
            "-1",
            str(path),
            str(out),
        ],
        check=True,
    )
    return _read_png(out.with_suffix(".png"))


def _mask(rgba: np.ndarray, colour, tolerance: int = 40) -> np.ndarray:
    opaque = rgba[..., 3] > 128
    return opaque & (np.abs(rgba[..., :3].astype(int) - colour).max(axis=-1) < tolerance)


def _dark(rgba: np.ndarray) -> np.ndarray:
    """Axes, tick labels and titles (near-black ink on the light figure)."""
    return (rgba[..., 3] > 128) & (rgba[..., :3].max(axis=-1) < 90)


def _box(mask: np.ndarray) -> np.ndarray:
    rows, cols = np.nonzero(mask)
    assert rows.size, "nothing of that colour was drawn"
    return np.array([cols.min(), rows.min(), cols.max(), rows.max()])


def _trace(mask: np.ndarray) -> dict[int, float]:
    """The mean row of the masked pixels in each column: where a curve runs."""
    rows, cols = np.nonzero(mask)
    return {int(c): float(rows[cols == c].mean()) for c in np.unique(cols)}


def _lines(rgba: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Columns and rows that are mostly ink: the axis lines (ink summed, so that a line one
    renderer smooths over two pixels counts in both). Rows in the title band at the top and the
    axis-label band at the bottom are left out: a long title or label is dense ink too, and
    renderers set its font a few per cent wider or narrower."""
    ink = (255 - rgba[..., :3].min(axis=-1)) / 255.0 * (rgba[..., 3] > 128)
    h, w = ink.shape
    rows = np.nonzero(ink.sum(axis=1) > 0.3 * w)[0]
    text_free = (rows > 0.05 * h) & (rows < 0.97 * h)
    return np.nonzero(ink.sum(axis=0) > 0.3 * h)[0], rows[text_free]


def _assert_same_places(reference: np.ndarray, other: np.ndarray, who: str) -> None:
    """Axis lines and the replace curve (its box, and the row it runs at in every column) within
    a few pixels of the PNG export."""
    assert np.abs(np.subtract(other.shape[:2], reference.shape[:2])).max() <= 1, (
        who,
        other.shape,
        reference.shape,
    )  # a page size in whole points may round
    h, w = min(other.shape[0], reference.shape[0]), min(other.shape[1], reference.shape[1])
    other, reference = other[:h, :w], reference[:h, :w]
    # (not the text: a renderer may pick another "Sans Serif" and set a title a few % narrower)
    # the first plot's left axis (the first long column) and the bottom axes (the last long row);
    # other long strokes (a legend's frame, a dotted guide) come and go with each renderer's
    # anti-aliasing, so they are not compared
    (cols, rows), (cols_ref, rows_ref) = _lines(other), _lines(reference)
    assert len(cols) and len(rows), f"{who}: no axis lines found"
    assert abs(cols[0] - cols_ref[0]) <= 2, (
        f"{who}: left axis at {cols[0]}, the PNG's {cols_ref[0]}"
    )
    assert abs(rows[-1] - rows_ref[-1]) <= 2, (
        f"{who}: bottom axis at {rows[-1]}, the PNG's {rows_ref[-1]}"
    )
    curve, curve_ref = _mask(other, REPLACE_BLUE), _mask(reference, REPLACE_BLUE)
    assert np.abs(_box(curve) - _box(curve_ref)).max() <= 4, (
        f"{who}: replace curve in {_box(curve)}, the PNG's in {_box(curve_ref)}"
    )
    a, b = _trace(curve_ref), _trace(curve)
    common = sorted(set(a) & set(b))
    assert len(common) > 0.9 * len(a), f"{who}: the curve is drawn in other columns"
    gap = np.median([abs(a[c] - b[c]) for c in common])
    assert gap <= 1.5, f"{who}: the curve runs {gap:.1f} px away from the PNG's"
    print(who, "curve median gap", round(gap, 2), "px")


@pytest.fixture
def exported(window, qtbot, tmp_path):
    tab = _run(qtbot, window)
    width = int(tab.figure.sceneBoundingRect().width())
    settings = FigureSettings(width=width)
    paths = {s: tab.export_image(tmp_path / f"fig{s}", settings) for s in (".png", ".svg", ".pdf")}
    return tab, paths, _read_png(paths[".png"])


def test_svg_in_qt_svg_renderer_matches_the_png(exported):
    tab, paths, png = exported
    height, width = png.shape[:2]
    _assert_same_places(png, _qt_svg(paths[".svg"], width, height), "QSvgRenderer")


def test_svg_in_librsvg_matches_the_png(exported, tmp_path):
    tab, paths, png = exported
    _assert_same_places(png, _rsvg(paths[".svg"], png.shape[1], tmp_path), "librsvg")


def test_pdf_in_poppler_matches_the_png(exported, tmp_path):
    tab, paths, png = exported
    _assert_same_places(png, _poppler(paths[".pdf"], png.shape[1], tmp_path), "pdftoppm")


def test_every_format_carries_the_metadata_and_reruns(exported, tmp_path):
    tab, paths, _ = exported
    data = tab.export_data(tmp_path / "gui.npz")
    for suffix, path in paths.items():
        meta = read_figure_meta(path)
        assert meta["lab"] == "collapse" and meta["seed"] == 1, suffix
    again = tmp_path / "again.npz"
    assert (
        cli(["run", "collapse", "--from", str(paths[".pdf"]), "--out", str(again), "--quiet"]) == 0
    )
    a, _ = read_npz(data)
    b, meta = read_npz(again)
    assert meta["seed"] == 1
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])


def test_the_hover_readout_is_never_exported(window, qtbot, tmp_path):
    tab = _run(qtbot, window)
    plot = tab.p_main
    label = plot.readout.label
    plot.scene().sigMouseMoved.emit(plot.vb.sceneBoundingRect().center())  # the mouse moves in
    qtbot.waitUntil(lambda: label.textItem.toPlainText().startswith("x = "), timeout=3000)
    assert label.isVisible()
    hovered = _read_png(tab.export_image(tmp_path / "hover.png"))
    svg = tab.export_image(tmp_path / "hover.svg").read_text(encoding="utf-8")
    pdf = tab.export_image(tmp_path / "hover.pdf")
    assert label.isVisible(), "the read-out is back on screen after the export"
    assert "x = " not in svg
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "x = " not in text and "generation" in text
    label.setText("")  # the same figure without a read-out
    clean = _read_png(tab.export_image(tmp_path / "clean.png"))
    np.testing.assert_array_equal(hovered, clean)


def test_dark_theme_exports_light_figures_unless_asked(window, qtbot, tmp_path):
    tab = _run(qtbot, window)
    window.set_theme("dark")
    try:
        axis = tab.p_main.getAxis("left")
        on_screen = axis.textPen().color().name()
        light = tab.export_image(tmp_path / "light.svg")
        dark = tab.export_image(tmp_path / "dark.svg", FigureSettings(dark=True))
        png = _read_png(tab.export_image(tmp_path / "light.png"))
        assert axis.textPen().color().name() == on_screen, "the window keeps its dark plots"
    finally:
        window.set_theme("light")  # the theme is global: later tests draw light
    for path, background, ink in (
        (light, (255, 255, 255), "#222222"),
        (dark, (0x1C, 0x1E, 0x22), "#dcdcdc"),
    ):
        pixels = _qt_svg(path, 400, 300)
        assert pixels[..., 3].min() == 255, "an opaque background"
        assert tuple(pixels[2, 2, :3]) == background, path.name
        assert f'fill="{ink}"' in path.read_text(encoding="utf-8"), path.name
    assert tuple(png[2, 2]) == (255, 255, 255, 255)


def test_png_legend_scales_with_the_figure(window, qtbot, tmp_path):
    """Legend text was drawn at its on-screen size in a larger PNG (legends ignore transforms)."""
    tab = _run(qtbot, window)
    source = tab.figure.sceneBoundingRect()
    legend = tab.p_main.legend.sceneBoundingRect().translated(-source.topLeft())
    for scale in (1, 2):
        png = _read_png(
            tab.export_image(
                tmp_path / f"x{scale}.png", FigureSettings(width=int(source.width()) * scale)
            )
        )
        x0, y0, x1, y1 = (
            int(v * scale) for v in (legend.left(), legend.top(), legend.right(), legend.bottom())
        )
        inside = _dark(png[y0:y1, x0:x1])  # the legend's text
        ink = _box(inside)
        assert ink[2] - ink[0] > 0.5 * (x1 - x0), f"legend text fills its box at scale {scale}"


def test_file_menu_exports_every_format_with_the_chosen_settings(
    window, qtbot, tmp_path, monkeypatch
):
    _run(qtbot, window)
    actions = {a.text().replace("&", ""): a for a in window.findChildren(QtGui.QAction)}
    monkeypatch.setattr(
        figure_export,
        "ask_figure_settings",
        lambda parent, current: FigureSettings(width=640, dpi=150),
    )
    actions["Figure export settings…"].trigger()
    for suffix in (".png", ".svg", ".pdf"):
        target = tmp_path / f"menu{suffix}"
        monkeypatch.setattr(
            QtWidgets.QFileDialog,
            "getSaveFileName",
            lambda *a, target=target, **k: (str(target), ""),
        )
        actions["Export figure…"].trigger()
        assert target.is_file() and read_figure_meta(target)["lab"] == "collapse"
    image = QtGui.QImage(str(tmp_path / "menu.png"))
    assert image.width() == 640 and round(image.dotsPerMeterX() * 0.0254) == 150
    assert theme.current().name == "light"


def test_settings_dialog_returns_what_was_chosen(qtbot):
    dialog = figure_export.FigureSettingsDialog(FigureSettings())
    qtbot.addWidget(dialog)
    dialog.width_box.setValue(2400)
    dialog.dpi_box.setValue(600)
    dialog.dark_box.setChecked(True)
    assert dialog.settings() == FigureSettings(2400, 600, True)
    assert "10.2 cm" in dialog.printed.text()


def test_heatmaps_keep_their_cells_in_librsvg(window, qtbot, tmp_path):
    """librsvg smoothed a 16 × 16 kernel matrix into a blur (it ignores image-rendering)."""
    window.show_lab("kernels")
    tab = window.lab_tabs.get_or_build("kernels")
    tab.panel.set_values({"width": 100, "steps": 10, "particles": 500})
    tab.run()
    qtbot.waitUntil(finished(tab), timeout=60000)
    tab._paint_if_dirty()
    source = tab.figure.sceneBoundingRect()
    settings = FigureSettings(width=int(source.width()))
    png = _read_png(tab.export_image(tmp_path / "k.png", settings))[..., :3].astype(int)
    svg = _rsvg(tab.export_image(tmp_path / "k.svg", settings), png.shape[1], tmp_path)
    maps = [
        i
        for i in tab.figure.scene().items()
        if isinstance(i, pg.ImageItem)
        and i.isVisible()
        and i.image is not None
        and i.image.shape[:2] == (16, 16)
    ]
    assert maps, "the kernel matrices are drawn"
    for item in maps:
        r = item.sceneBoundingRect().translated(-source.topLeft()).adjusted(3, 3, -3, -3)
        cells = (slice(int(r.top()), int(r.bottom())), slice(int(r.left()), int(r.right())))
        difference = np.abs(svg[cells][..., :3].astype(int) - png[cells]).max(axis=-1)
        # cells are flat: three quarters of the pixels match the PNG's (blurred: off by ~9)
        assert np.percentile(difference, 75) <= 2, "a kernel matrix is blurred"
