"""Figures people can put in a paper: a tab's plots as PNG (chosen width and DPI), SVG or PDF
(vector), drawn as on screen, on the light background unless the dark one is asked for, without
the hover read-out or other UI-only items, and with the run's metadata inside so that
``physlab run --from FIGURE`` reproduces it (a PNG text chunk, the SVG ``<desc>``, the PDF's XMP
packet; :func:`physlab.core.export.read_figure_meta` reads them back).

Every format is painted by Qt itself with a QPainter: onto a QImage, a QSvgGenerator or a
QPdfWriter. What it takes for the files to look right in the programs people open them with
(tests/gui/test_figure_export.py renders them with QSvgRenderer, librsvg and poppler):

* every device works at the scene's logical resolution (96 dpi). pyqtgraph caches axes in a
  QPicture recorded at that resolution, and QPicture rescales itself to a device of another one:
  at QSvgGenerator's default 72 dpi the axes and grid were drawn at 3/4 of the curves' scale.
* a PNG is enlarged by a device pixel ratio, not a painter scale (see :func:`_write_png`).
* SVG is SVG 1.1 (Qt's SVG Tiny output has no clip paths: curves ran past the axes), painted item
  by item with explicit clips (:func:`_paint_items`), and pyqtgraph's cosmetic pens, which Qt
  writes as view-box coordinates under a scaling ``transform`` with
  ``vector-effect="non-scaling-stroke"``, are moved into page coordinates (:func:`_flatten_svg`):
  librsvg ≤ 2.56 (GNOME, Inkscape's import, many converters) ignores that attribute and drew a
  1-px line as a 60-px band.
"""

from __future__ import annotations

import base64
import contextlib
import html
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtSvg import QSvgGenerator

from physlab._version import __version__
from physlab.core.export import (
    FIGURE_META_KEY,
    PDF_META_TAG,
    ExportError,
    atomic_path,
    check_target,
)

from . import theme

FIGURE_FORMATS = (".png", ".svg", ".pdf")
SCENE_DPI = 96  # the logical resolution plots are laid out (and axes are cached) at
WIDTH_RANGE = (200, 12000)  # PNG pixels
DPI_RANGE = (50, 1200)
UI_ONLY = 0x7068  # QGraphicsItem.data key marking items that are never exported (hover read-out)
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"


@dataclass(frozen=True)
class FigureSettings:
    """How figures are exported: a PNG's width in pixels and its resolution (which sets its
    printed size, width / dpi inches), and the background of every format."""

    width: int = 1800
    dpi: int = 300
    dark: bool = False


DEFAULT_FIGURE = FigureSettings()  # frozen: one shared default is safe


def mark_ui_only(item) -> None:
    """Keep a graphics item (a hover read-out, a handle) out of every exported figure."""
    QtWidgets.QGraphicsItem.setData(item, UI_ONLY, True)  # unbound: pyqtgraph items own .data


def export_figure(
    item, path: Path, meta: str = "", settings: FigureSettings = DEFAULT_FIGURE
) -> Path:
    """Write the plots of ``item`` (a PlotItem or a whole GraphicsLayout) to ``path`` (.png, .svg
    or .pdf), atomically, with the run's metadata JSON ``meta`` inside."""
    path = check_target(Path(path), FIGURE_FORMATS)
    writer = {".png": _write_png, ".svg": _write_svg, ".pdf": _write_pdf}[path.suffix.lower()]
    source = item.sceneBoundingRect()
    if source.width() < 1 or source.height() < 1:
        raise ExportError(f"cannot write {path}: the plots are not laid out yet")
    with atomic_path(path) as tmp, _export_look(item.scene(), settings.dark) as background:
        writer(item.scene(), source, tmp, meta, settings, background)
        if tmp.stat().st_size == 0:
            raise ExportError(f"cannot write {path}: nothing was rendered")
    return path


@contextlib.contextmanager
def _export_look(scene, dark: bool) -> Iterator[QtGui.QColor]:
    """Draw ``scene`` as a figure for the duration: UI-only items hidden, pyqtgraph's export mode
    on (vector markers instead of cached pixmaps, no auto-range button), the plots in the wanted
    theme. Everything is restored afterwards; yields the background colour."""
    wanted = "dark" if dark else "light"
    now = theme.current().name
    hidden = [
        i for i in scene.items() if QtWidgets.QGraphicsItem.data(i, UI_ONLY) and i.isVisible()
    ]
    exporting = [i for i in scene.items() if hasattr(i, "setExportMode")]
    for i in hidden:
        i.setVisible(False)
    if wanted != now:
        theme.recolour_scene(scene, now, wanted)
    for i in exporting:
        i.setExportMode(True, {"antialias": True})
    try:
        yield QtGui.QColor(theme.THEMES[wanted].background)
    finally:
        for i in exporting:
            i.setExportMode(False)
        if wanted != now:
            theme.recolour_scene(scene, wanted, now)
        for i in hidden:
            i.setVisible(True)


def _paint(
    device,
    scene,
    source: QtCore.QRectF,
    target: QtCore.QRectF,
    background: QtGui.QColor,
    items: bool = False,
) -> None:
    """Paint the ``source`` part of ``scene`` onto ``target`` of ``device`` (item by item with
    ``items``, see :func:`_paint_items`)."""
    painter = QtGui.QPainter()
    if not painter.begin(device):
        raise OSError("the figure could not be opened for drawing")
    try:
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QtGui.QPainter.RenderHint.TextAntialiasing)
        painter.fillRect(target, background)
        if items:
            _paint_items(painter, scene, source, target)
        else:
            scene.render(painter, target, source)
    finally:
        painter.end()


def _paint_items(
    painter: QtGui.QPainter, scene, source: QtCore.QRectF, target: QtCore.QRectF
) -> None:
    """Paint the scene's visible items bottom to top as QGraphicsScene.render does (at scale 1),
    setting every item's clip explicitly. QSvgGenerator does not undo a clip when the painter is
    restored: through scene.render, the clip of one item (a text label) was kept for the items
    after it, and librsvg drew axes, grid and legend lines clipped away."""
    base = QtGui.QTransform.fromTranslate(-source.left(), -source.top())
    page = QtGui.QPainterPath()
    page.addRect(target)
    no_contents = QtWidgets.QGraphicsItem.GraphicsItemFlag.ItemHasNoContents
    for item in scene.items(QtCore.Qt.SortOrder.AscendingOrder):
        if not item.isVisible() or item.flags() & no_contents:
            continue
        transform = item.deviceTransform(base)
        if not transform.mapRect(item.boundingRect()).intersects(target):
            continue
        painter.save()
        painter.setClipPath(_clip(item, base, page))
        painter.setTransform(transform)
        painter.setOpacity(item.effectiveOpacity())
        option = QtWidgets.QStyleOptionGraphicsItem()
        option.exposedRect = item.boundingRect()
        item.paint(painter, option, None)
        painter.restore()


def _clip(item, base: QtGui.QTransform, page: QtGui.QPainterPath) -> QtGui.QPainterPath:
    """The region ``item`` may paint in, in page coordinates: the page within the shapes of the
    item (if it clips to it) and of every ancestor that clips its children."""
    flags = QtWidgets.QGraphicsItem.GraphicsItemFlag
    clip = page
    if item.flags() & flags.ItemClipsToShape:
        clip = clip.intersected(item.deviceTransform(base).map(item.shape()))
    parent = item.parentItem()
    while parent is not None:
        if parent.flags() & flags.ItemClipsChildrenToShape:
            clip = clip.intersected(parent.deviceTransform(base).map(parent.shape()))
        parent = parent.parentItem()
    return clip


def _write_png(scene, source, tmp: Path, meta: str, settings: FigureSettings, background) -> None:
    width = int(settings.width)
    height = max(1, round(width * source.height() / source.width()))
    image = QtGui.QImage(width, height, QtGui.QImage.Format.Format_ARGB32)
    image.fill(background)  # every pixel, also a last row the scaled page covers only in part
    # enlarged as a high-DPI screen enlarges it (a device pixel ratio), not by a painter scale:
    # markers and legends, which ignore transformations, then grow with the rest (scaled by the
    # painter they kept their on-screen size: legend text looked tiny next to the axis labels).
    # Cosmetic pens keep their width in device pixels, as on a high-DPI screen.
    image.setDevicePixelRatio(width / source.width())
    _paint(image, scene, source, QtCore.QRectF(0, 0, source.width(), source.height()), background)
    image.setDevicePixelRatio(1.0)
    dots_per_metre = round(settings.dpi / 0.0254)  # sets the printed size, width / dpi inches
    image.setDotsPerMeterX(dots_per_metre)
    image.setDotsPerMeterY(dots_per_metre)
    if meta:
        image.setText(FIGURE_META_KEY, meta)
    if image.isNull() or not image.save(str(tmp), "PNG"):
        raise OSError("the image could not be encoded")


def _write_svg(scene, source, tmp: Path, meta: str, settings, background) -> None:
    tmp.write_bytes(_svg_bytes(scene, source, meta, background))


def _svg_bytes(scene, source, meta: str, background) -> bytes:
    target = QtCore.QRectF(0, 0, source.width(), source.height())
    buffer = QtCore.QBuffer()
    buffer.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator(QSvgGenerator.SvgVersion.Svg11)
    generator.setOutputDevice(buffer)
    generator.setResolution(SCENE_DPI)
    generator.setSize(target.size().toSize())
    generator.setViewBox(target)
    generator.setTitle("physlab figure")
    if meta:
        generator.setDescription(f"{FIGURE_META_KEY} {meta}")
    _paint(generator, scene, source, target, background, items=True)
    return _flatten_svg(bytes(buffer.data()), target)


def _write_pdf(scene, source, tmp: Path, meta: str, settings, background) -> None:
    target = QtCore.QRectF(0, 0, source.width(), source.height())
    writer = QtGui.QPdfWriter(str(tmp))
    writer.setResolution(SCENE_DPI)
    points = QtCore.QSizeF(target.width() * 72 / SCENE_DPI, target.height() * 72 / SCENE_DPI)
    writer.setPageSize(
        QtGui.QPageSize(
            points,
            QtGui.QPageSize.Unit.Point,
            "physlab figure",
            QtGui.QPageSize.SizeMatchPolicy.ExactMatch,
        )
    )
    writer.setPageMargins(QtCore.QMarginsF(0, 0, 0, 0))
    writer.setTitle("physlab figure")
    writer.setCreator(f"physlab {__version__}")
    writer.setDocumentXmpMetadata(_xmp(meta))
    _paint(writer, scene, source, target, background)
    del writer  # the file is complete once the writer is gone


def _xmp(meta: str) -> bytes:
    """An XMP packet (the PDF's document metadata, stored uncompressed): title, creator tool and
    the run's metadata JSON (under :data:`~physlab.core.export.PDF_META_TAG`)."""
    run = f"<{PDF_META_TAG}>{html.escape(meta, quote=False)}</{PDF_META_TAG}>" if meta else ""
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
        'xmlns:physlab="https://github.com/physlab/physlab/ns/1.0/">'
        '<dc:title><rdf:Alt><rdf:li xml:lang="x-default">physlab figure</rdf:li></rdf:Alt>'
        f"</dc:title><xmp:CreatorTool>physlab {__version__}</xmp:CreatorTool>{run}"
        '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    ).encode()


# -- SVG: transforms into coordinates -------------------------------------------------------------
Matrix = tuple[float, float, float, float, float, float]  # SVG's matrix(a, b, c, d, e, f)
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_PATH_TOKEN = re.compile(rf"[A-Za-z]|{_NUMBER}")


def _flatten_svg(data: bytes, size: QtCore.QRectF) -> bytes:
    """Qt's SVG with every scaled cosmetic-pen shape rewritten in page coordinates (see the module
    docstring), and its size in CSS pixels (Qt writes millimetres, which renderers convert at
    different resolutions: Qt's own at 90 dpi, librsvg at 96)."""
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    root = ET.fromstring(data)
    root.set("width", _num(size.width()))
    root.set("height", _num(size.height()))
    for child in root:
        if child.tag != f"{{{SVG_NS}}}defs":
            _flatten(child, IDENTITY)
    for image in root.iter(f"{{{SVG_NS}}}image"):
        _sharpen(image)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _sharpen(image, headroom: int = 4, largest: int = 2048) -> None:
    """Enlarge an embedded heatmap by repeating its pixels, so that it shows in cells as on screen
    in every renderer: librsvg ignores ``image-rendering`` and smoothed a 16 × 16 kernel matrix into
    a blur. The copy has ``headroom`` pixels per displayed pixel (for print), at most ``largest``
    a side."""
    href = f"{{{XLINK_NS}}}href"
    prefix = "data:image/png;base64,"
    data = image.get(href, "")
    matrix = _parse_matrix(image.get("transform"))
    if not data.startswith(prefix) or matrix is None:
        return
    picture = QtGui.QImage.fromData(base64.b64decode(data[len(prefix) :]), "PNG")
    if picture.isNull():
        return
    shown = (
        float(image.get("width", 0)) * math.hypot(matrix[0], matrix[1]),
        float(image.get("height", 0)) * math.hypot(matrix[2], matrix[3]),
    )
    factors = [
        max(1, min(math.ceil(headroom * size / pixels), largest // pixels))
        for size, pixels in zip(shown, (picture.width(), picture.height()))
    ]
    if factors == [1, 1]:
        return
    bigger = picture.scaled(
        picture.width() * factors[0],
        picture.height() * factors[1],
        QtCore.Qt.AspectRatioMode.IgnoreAspectRatio,
        QtCore.Qt.TransformationMode.FastTransformation,
    )
    buffer = QtCore.QBuffer()
    buffer.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
    bigger.save(buffer, "PNG")
    image.set(href, prefix + base64.b64encode(bytes(buffer.data())).decode("ascii"))


def _flatten(element, outer: Matrix) -> None:
    own = _parse_matrix(element.get("transform"))
    if own is None:  # a transform we do not parse: leave this branch as Qt wrote it
        return
    total = _compose(outer, own)
    tag = element.tag.rpartition("}")[2]
    if tag == "g" and not (element.get("clip-path") and total != IDENTITY):
        element.attrib.pop("transform", None)
        for child in element:
            _flatten(child, total)
        return
    if element.get("vector-effect") == "non-scaling-stroke" and _transform_shape(
        element, tag, total
    ):
        element.attrib.pop("transform", None)
        element.attrib.pop("vector-effect", None)
        return
    if total == IDENTITY:
        element.attrib.pop("transform", None)
    else:  # text, images, strokes that scale: the transform moves onto the element itself
        element.set("transform", "matrix(" + ",".join(_num(v) for v in total) + ")")


def _transform_shape(element, tag: str, m: Matrix) -> bool:
    """Rewrite a shape's coordinates through ``m``; False if it cannot be (it keeps a transform)."""
    if tag == "path":
        d = _transform_path(element.get("d", ""), m)
        if d is None:
            return False
        element.set("d", d)
    elif tag in ("polyline", "polygon"):
        numbers = [float(v) for v in re.findall(_NUMBER, element.get("points", ""))]
        if len(numbers) % 2:
            return False
        points = (_apply(m, numbers[i], numbers[i + 1]) for i in range(0, len(numbers), 2))
        element.set("points", " ".join(f"{_num(x)},{_num(y)}" for x, y in points))
    elif tag == "line":
        for a, b in (("x1", "y1"), ("x2", "y2")):
            x, y = _apply(m, float(element.get(a, 0)), float(element.get(b, 0)))
            element.set(a, _num(x))
            element.set(b, _num(y))
    elif tag == "rect" and m[1] == m[2] == 0 and not (element.get("rx") or element.get("ry")):
        x0, y0 = _apply(m, float(element.get("x", 0)), float(element.get("y", 0)))
        x1, y1 = _apply(
            m,
            float(element.get("x", 0)) + float(element.get("width", 0)),
            float(element.get("y", 0)) + float(element.get("height", 0)),
        )
        for name, value in (
            ("x", min(x0, x1)),
            ("y", min(y0, y1)),
            ("width", abs(x1 - x0)),
            ("height", abs(y1 - y0)),
        ):
            element.set(name, _num(value))
    else:
        return False
    return True


def _transform_path(d: str, m: Matrix) -> str | None:
    """Path data with absolute move/line/cubic commands (all Qt writes) mapped through ``m``."""
    out: list[str] = []
    pending: list[float] = []
    for token in _PATH_TOKEN.findall(d):
        if token.isalpha():
            if token not in "MLCZz" or pending:
                return None
            out.append(token)
        else:
            pending.append(float(token))
            if len(pending) == 2:
                x, y = _apply(m, *pending)
                out.append(f"{_num(x)},{_num(y)}")
                pending = []
    return None if pending else " ".join(out)


def _parse_matrix(text: str | None) -> Matrix | None:
    if not text:
        return IDENTITY
    match = re.fullmatch(rf"\s*matrix\(\s*((?:{_NUMBER}[\s,]*){{6}})\)\s*", text)
    if match is None:
        return None
    values = tuple(float(v) for v in re.findall(_NUMBER, match.group(1)))
    return values  # type: ignore[return-value]


def _compose(outer: Matrix, inner: Matrix) -> Matrix:
    """The matrix applying ``inner`` first, then ``outer``."""
    a, b, c, d, e, f = outer
    p, q, r, s, t, u = inner
    return (
        a * p + c * q,
        b * p + d * q,
        a * r + c * s,
        b * r + d * s,
        a * t + c * u + e,
        b * t + d * u + f,
    )


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def _num(value: float) -> str:
    return f"{value:.7g}"


# -- the settings dialog (File ▸ Figure export settings…) -------------------------------------
class FigureSettingsDialog(QtWidgets.QDialog):
    """Width and DPI of PNG figures and the background of every figure format."""

    def __init__(self, settings: FigureSettings, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Figure export settings")
        self.width_box = QtWidgets.QSpinBox()
        self.width_box.setRange(*WIDTH_RANGE)
        self.width_box.setSuffix(" px")
        self.width_box.setValue(settings.width)
        self.dpi_box = QtWidgets.QSpinBox()
        self.dpi_box.setRange(*DPI_RANGE)
        self.dpi_box.setSuffix(" dpi")
        self.dpi_box.setValue(settings.dpi)
        self.printed = QtWidgets.QLabel()
        self.dark_box = QtWidgets.QCheckBox("Dark background (figures are light otherwise)")
        self.dark_box.setChecked(settings.dark)
        form = QtWidgets.QFormLayout(self)
        form.addRow("PNG width", self.width_box)
        form.addRow("PNG resolution", self.dpi_box)
        form.addRow("", self.printed)
        form.addRow(self.dark_box)
        buttons = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Ok
            | QtWidgets.QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        for box in (self.width_box, self.dpi_box):
            box.valueChanged.connect(self._show_printed)
        self._show_printed()

    def _show_printed(self) -> None:
        inches = self.width_box.value() / self.dpi_box.value()
        self.printed.setText(
            f"printed {inches * 2.54:.1f} cm ({inches:.2f} in) wide; SVG and PDF are vector"
        )

    def settings(self) -> FigureSettings:
        return FigureSettings(
            self.width_box.value(), self.dpi_box.value(), self.dark_box.isChecked()
        )


def ask_figure_settings(parent, settings: FigureSettings) -> FigureSettings | None:
    """Show the settings dialog; the new settings, or None if it was cancelled."""
    dialog = FigureSettingsDialog(settings, parent)
    if dialog.exec() != QtWidgets.QDialog.DialogCode.Accepted:
        return None
    return dialog.settings()
